using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// Activations past one binding (prefill logits of a large vocabulary on lavapipe's 128 MiB range): MatMul binds its
/// input and output per token range. The binding limit is lowered to 1 KiB so small graphs exercise it.
/// </summary>
public class ActivationSplitTests
{
    [VulkanFact]
    public void Matmul_chains_bound_per_token_range_give_the_reference_results()
    {
        var random = new Random(31);
        var w1 = TestTensors.Q8_0("w1", random, 64, 96);
        var w2 = TestTensors.F32("w2", TestTensors.Random(random, 37 * 64), 37, 64);
        using var device = new VulkanDevice(new VulkanDeviceOptions { ActivationBindingBytes = 1024 });
        foreach (int tokens in new[] { 3, 19 })
        {
            var x = TestTensors.F32("x", TestTensors.Random(random, tokens * 96), tokens, 96);
            (Node, (Node, int[])[]) Build(ComputeGraph g) => (g.MatMul("y2", g.MatMul("y1", g.Weight(x), g.Weight(w1)), g.Weight(w2)), []);
            var expected = TestTensors.Reference(Build);
            var actual = TestTensors.Run(device, Build);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);
        }
    }

    [VulkanFact]
    public void Other_ops_on_an_activation_past_one_binding_are_a_clear_error()
    {
        using var device = new VulkanDevice(new VulkanDeviceOptions { ActivationBindingBytes = 1024 });
        var random = new Random(32);
        var g = new ComputeGraph();
        var y = g.MatMul("proj", g.Weight(TestTensors.F32("x", TestTensors.Random(random, 19 * 32), 19, 32)),
            g.Weight(TestTensors.F32("w", TestTensors.Random(random, 40 * 32), 40, 32)));
        g.MarkOutput(g.Scale("scaled", y, 2f));
        var e = Assert.Throws<HearthException>(() => device.Compile(g));
        Assert.Contains("'proj'", e.Message, StringComparison.Ordinal);
        Assert.Contains("storage-buffer range", e.Message, StringComparison.Ordinal);
    }
}
