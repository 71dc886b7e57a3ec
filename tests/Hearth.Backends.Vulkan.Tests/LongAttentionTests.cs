using Hearth.Backends.Cpu;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// Attention over more keys than one workgroup-sized chunk (the kernel folds keys 64 at a time with an online softmax):
/// 150 cached rows, full and sliding-window, F32 and F16 caches, decode and prefill, against cpu-ref.
/// </summary>
public class LongAttentionTests
{
    [VulkanFact]
    public void Attention_over_several_key_chunks_matches_the_reference()
    {
        foreach (var cacheType in new[] { TensorType.F32, TensorType.F16 })
        foreach (var (window, tokens) in new[] { (0, 1), (0, 5), (70, 3), (130, 1) })
        {
            var expected = Run(CpuBackends.ReferenceName, cacheType, window, tokens);
            var actual = Run(VulkanBackends.Name, cacheType, window, tokens);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                    $"{cacheType} window {window} T {tokens}: element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static float[] Run(string backend, TensorType cacheType, int window, int tokens)
    {
        const int heads = 4, kvHeads = 2, headDim = 40, capacity = 200, history = 150;
        int kvWidth = kvHeads * headDim;
        var random = new Random(window * 10 + tokens);
        var oldK = TestTensors.F32("old_k", TestTensors.Random(random, history * kvWidth), history, kvWidth);
        var oldV = TestTensors.F32("old_v", TestTensors.Random(random, history * kvWidth), history, kvWidth);
        var k = TestTensors.F32("k", TestTensors.Random(random, tokens * kvWidth), tokens, kvWidth);
        var v = TestTensors.F32("v", TestTensors.Random(random, tokens * kvWidth), tokens, kvWidth);
        var q = TestTensors.F32("q", TestTensors.Random(random, tokens * heads * headDim), tokens, heads * headDim);
        var p = new AttentionParams(0, heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), window);

        CpuBackends.Register();
        VulkanBackends.Register();
        using var device = BackendRegistry.Create(backend);
        using var kCache = device.AllocateState("k_cache", cacheType, new Shape(capacity, kvWidth));
        using var vCache = device.AllocateState("v_cache", cacheType, new Shape(capacity, kvWidth));
        var g1 = new ComputeGraph();
        var pos1 = g1.Input("positions", history);
        g1.MarkOutput(g1.KvWrite("kw", g1.Weight(oldK), pos1, g1.State("k_cache", kCache), 0));
        g1.MarkOutput(g1.KvWrite("vw", g1.Weight(oldV), pos1, g1.State("v_cache", vCache), 0));
        using (var exe1 = device.Compile(g1))
        {
            exe1.SetInput(pos1, [.. Enumerable.Range(0, history)]);
            exe1.Run();
        }
        var g2 = new ComputeGraph();
        var pos2 = g2.Input("positions", tokens);
        var kw = g2.KvWrite("kw", g2.Weight(k), pos2, g2.State("k_cache", kCache), 0);
        var vw = g2.KvWrite("vw", g2.Weight(v), pos2, g2.State("v_cache", vCache), 0);
        var y = g2.Attention("y", g2.Weight(q), pos2, kw, vw, p);
        g2.MarkOutput(y);
        using var exe2 = device.Compile(g2);
        exe2.SetInput(pos2, [.. Enumerable.Range(history, tokens)]);
        exe2.Run();
        var result = new float[y.Shape.ElementCount];
        exe2.Read(y, result);
        return result;
    }
}
