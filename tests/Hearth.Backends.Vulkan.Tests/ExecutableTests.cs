using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

public class ExecutableTests
{
    /// <summary>
    /// Weights past the binding limit are split into row chunks (one dispatch each). The limit is lowered to 1 KiB so
    /// every chunk holds a few rows; results must equal cpu-ref's for the matrix-vector, tiled and embedding kernels.
    /// </summary>
    [VulkanFact]
    public void Weights_split_at_the_binding_limit_give_the_reference_results()
    {
        var random = new Random(21);
        var f32 = TestTensors.F32("w32", TestTensors.Random(random, 37 * 96), 37, 96);  // 384-byte rows: 2 per chunk
        var q8 = TestTensors.Q8_0("wq8", random, 45, 256);                              // 272-byte rows: 3 per chunk
        using var device = new VulkanDevice(new VulkanDeviceOptions { WeightChunkBytes = 1024 });
        foreach (var weight in new[] { f32, q8 })
        {
            int width = weight.Shape[1];
            foreach (int tokens in new[] { 1, 19 })
            {
                var x = TestTensors.F32("x", TestTensors.Random(random, tokens * width), tokens, width);
                (Node, (Node, int[])[]) Build(ComputeGraph g) => (g.MatMul("y", g.Weight(x), g.Weight(weight)), []);
                var expected = TestTensors.Reference(Build);
                var actual = TestTensors.Run(device, Build);
                for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);
            }
            int[] ids = [0, weight.Shape[0] - 1, 5, 2, weight.Shape[0] / 2];
            (Node, (Node, int[])[]) Lookup(ComputeGraph g)
            {
                var input = g.Input("tokens", ids.Length);
                return (g.Embedding("e", g.Weight(weight), input), [(input, ids)]);
            }
            Assert.Equal(TestTensors.Reference(Lookup), TestTensors.Run(device, Lookup));
        }
    }

    [VulkanFact]
    public void A_step_reports_its_gpu_time_and_reuses_arena_memory()
    {
        using var device = new VulkanDevice();
        var random = new Random(8);
        var a = TestTensors.F32("a", TestTensors.Random(random, 4 * 300), 4, 300);
        var g = new ComputeGraph();
        // A chain of five ops: the arena needs two live values at a time, not five.
        var x = g.Weight(a);
        for (int i = 0; i < 5; i++) x = g.Scale($"s{i}", x, 0.5f);
        g.MarkOutput(x);
        using var exe = (VulkanExecutable)device.Compile(g);
        exe.Run();
        exe.Run();
        Assert.Equal(5, exe.DispatchCount);
        Assert.True(exe.ArenaBytes <= 3 * 4 * 300 * 4, $"arena {exe.ArenaBytes} bytes");
        if (device.Context.TimestampValidBits > 0)
            Assert.True(exe.LastGpuMilliseconds is >= 0 and < 10_000, $"GPU time {exe.LastGpuMilliseconds} ms");
        var y = new float[4 * 300];
        exe.Read(x, y);
        Assert.Equal(a.Bytes.Length, y.Length * 4);
        Assert.Equal(BitConverter.ToSingle(a.Bytes[..4]) / 32f, y[0]);
    }

    [VulkanFact]
    public void A_token_id_outside_the_table_is_a_clear_error()
    {
        using var device = new VulkanDevice();
        var table = TestTensors.F32("table", new float[10 * 4], 10, 4);
        var g = new ComputeGraph();
        var ids = g.Input("tokens", 2);
        var e = g.Embedding("e", g.Weight(table), ids);
        g.MarkOutput(e);
        using var exe = device.Compile(g);
        exe.SetInput(ids, [1, 10]);
        var error = Assert.Throws<HearthException>(exe.Run);
        Assert.Contains("'tokens'", error.Message, StringComparison.Ordinal);
        Assert.Contains("10", error.Message, StringComparison.Ordinal);
        Assert.Throws<HearthException>(() => exe.SetInput(ids, [1, 2, 3]));
    }

    [VulkanFact]
    public void A_cache_from_another_device_is_rejected_at_compile_time()
    {
        using var device = new VulkanDevice();
        Hearth.Backends.Cpu.CpuBackends.Register();
        using var cpu = BackendRegistry.Create("cpu-ref");
        using var cache = cpu.AllocateState("k", TensorType.F32, new Shape(8, 4));
        var g = new ComputeGraph();
        var pos = g.Input("positions", 1);
        var kw = g.KvWrite("kw", g.Weight(TestTensors.F32("k", new float[4], 1, 4)), pos, g.State("k_cache", cache), 0);
        g.MarkOutput(kw);
        Assert.False(device.Supports(g.Find("k_cache")!));
        var e = Assert.Throws<HearthException>(() => device.Compile(g));
        Assert.Contains("k_cache", e.Message, StringComparison.Ordinal);
        Assert.Contains("vulkan", e.Message, StringComparison.Ordinal);
    }

    [VulkanFact]
    public void Kv_cache_rows_round_trip_and_clear()
    {
        using var device = new VulkanDevice();
        using var cache = device.AllocateState("k", TensorType.F16, new Shape(6, 4));
        var g = new ComputeGraph();
        var pos = g.Input("positions", 2);
        var kw = g.KvWrite("kw", g.Weight(TestTensors.F32("k", [1, 2, 3, 4, 0.1f, 0.2f, 0.3f, 65504f], 2, 4)), pos, g.State("k_cache", cache), 0);
        g.MarkOutput(kw);
        using (var exe = device.Compile(g))
        {
            exe.SetInput(pos, [4, 1]);
            exe.Run();
            exe.SetInput(pos, [4, 6]);
            Assert.Throws<HearthException>(exe.Run);  // position 6 is past the 6 rows
        }
        var rows = new float[6 * 4];
        cache.ReadRows(0, 6, rows);
        Assert.Equal([0, 0, 0, 0, (float)(Half)0.1f, (float)(Half)0.2f, (float)(Half)0.3f, 65504f, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0], rows);
        cache.Clear(2);
        cache.ReadRows(0, 6, rows);
        Assert.Equal(0f, rows[16]);
        Assert.Equal((float)(Half)0.1f, rows[4]);
    }
}
