using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// The opt-in 64x64-tiled prefill kernel (VulkanDeviceOptions.TiledPrefill; the conformance suite runs the default,
/// batch-invariant matrix-vector kernel) against cpu-ref, for float and quantized weights, partial tiles included.
/// </summary>
public class TiledPrefillTests
{
    [VulkanFact]
    public void Tiled_prefill_matches_the_reference()
    {
        var random = new Random(41);
        using var device = new VulkanDevice(new VulkanDeviceOptions { TiledPrefill = true });
        foreach (var weight in new[] { TestTensors.F32("wf", TestTensors.Random(random, 70 * 100), 70, 100), TestTensors.Q8_0("wq", random, 70, 256) })
        {
            int width = weight.Shape[1];
            foreach (int tokens in new[] { 5, 67 })
            {
                var x = TestTensors.F32("x", TestTensors.Random(random, tokens * width), tokens, width);
                (Node, (Node, int[])[]) Build(ComputeGraph g) => (g.MatMul("y", g.Weight(x), g.Weight(weight)), []);
                var expected = TestTensors.Reference(Build);
                var actual = TestTensors.Run(device, Build);
                double error = 0, energy = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    error += Math.Pow(actual[i] - expected[i], 2);
                    energy += Math.Pow(expected[i], 2);
                }
                Assert.True(error / energy <= 1e-10, $"{TensorTypes.Info(weight.Type).Name} T {tokens}: NMSE {error / energy:g3}");
            }
        }
    }
}
