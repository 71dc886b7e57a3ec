using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// Device memory that the host cannot map (discrete GPUs without resizable BAR) goes through staging copies. lavapipe
/// maps everything, so the test makes device buffers unmapped and runs uploads, read-backs, a graph and a KV cache.
/// </summary>
public class StagingTests
{
    [VulkanFact]
    public void Unmapped_device_memory_works_through_staging_copies()
    {
        using var device = new VulkanDevice();
        var context = device.Context;
        context.ForceStaging = true;
        try
        {
            var data = new byte[5000];
            new Random(6).NextBytes(data);
            using (var buffer = context.CreateBuffer(data.Length + 8, BufferPlace.Device, "staging test"))
            {
                unsafe { Assert.True(buffer.Mapped == null); }
                buffer.Write(8, data);
                var back = new byte[data.Length];
                buffer.Read(8, back);
                Assert.Equal(data, back);
            }
            var random = new Random(7);
            var weight = TestTensors.Q8_0("w_staged", random, 33, 256);
            var x = TestTensors.F32("x_staged", TestTensors.Random(random, 3 * 256), 3, 256);
            (Node, (Node, int[])[]) Build(ComputeGraph g) => (g.MatMul("y", g.Weight(x), g.Weight(weight)), []);
            var expected = TestTensors.Reference(Build);
            var actual = TestTensors.Run(device, Build);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);

            using var cache = device.AllocateState("k", TensorType.F16, new Shape(4, 3));
            var g = new ComputeGraph();
            var slots = g.Input("slots", 1);
            g.MarkOutput(g.KvWrite("kw", g.Weight(TestTensors.F32("k", [1, 2, 3], 1, 3)), slots, g.State("k_cache", cache), 0));
            using (var exe = device.Compile(g))
            {
                exe.SetInput(slots, [1]);
                exe.Run();
            }
            var rows = new float[12];
            cache.ReadRows(0, 4, rows);
            Assert.Equal([0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0], rows);
            cache.Clear(1);
            cache.ReadRows(0, 4, rows);
            Assert.All(rows, v => Assert.Equal(0f, v));
        }
        finally
        {
            context.ForceStaging = false;
        }
    }
}
