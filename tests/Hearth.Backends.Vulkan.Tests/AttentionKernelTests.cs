using Hearth.Backends.Cpu;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Testing;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// The attention kernels: the shape picks split-K for decode over long contexts and flash for prefill; every kernel
/// matches cpu-ref; and flash and split-K give bit-identical rows (same chunk and segment grid, same fold order; forced
/// kernels use segments of 2 chunks), which batch invariance needs when one step decodes and the next batches a prefill
/// (BatchInvarianceTests checks that for the automatic choice).
/// </summary>
public class AttentionKernelTests
{
    private const double Tolerance = 1e-5;

    private static readonly AttentionScenario[] Scenarios =
    [
        AttentionScenario.Make(1, TensorType.F16, 8, 2, 40, 0, 16, 1200, 2, 2),      // decode, paged, two sequences
        AttentionScenario.Make(2, TensorType.F32, 4, 4, 67, 250, 0, 700, 1),         // decode, contiguous, window
        AttentionScenario.Make(3, TensorType.F16, 16, 1, 200, 0, 16, 500, 3, 1),     // GQA 16 at head dim 200: 10 + 6 heads per workgroup
        AttentionScenario.Make(4, TensorType.F32, 4, 2, 256, 0, 16, 333, 1),         // large head dim: small chunks
        AttentionScenario.Make(5, TensorType.F16, 6, 2, 20, 0, 16, 120, 70, 3),      // prefill, rows of 3 sequences interleaved
        AttentionScenario.Make(6, TensorType.F32, 4, 1, 33, 17, 0, 100, 41),         // prefill, contiguous, window
        AttentionScenario.Make(8, TensorType.F16, 8, 2, 32, 0, 16, 300, 40, 3, grouped: true),  // prefill, 3 sequences' runs
    ];

    private static float[] RunVulkan(AttentionScenario scenario, AttentionKernel kernel, out IReadOnlyList<string> shaders)
    {
        using var device = new VulkanDevice(new VulkanDeviceOptions { AttentionKernel = kernel });
        IReadOnlyList<string> seen = [];
        var y = scenario.Run(device, exe => seen = ((VulkanExecutable)exe).DispatchShaders);
        shaders = seen;
        return y;
    }

    [VulkanFact]
    public void Every_kernel_matches_the_reference_and_flash_equals_split_bit_for_bit()
    {
        CpuBackends.Register();
        foreach (var scenario in Scenarios)
        {
            using var oracle = BackendRegistry.Create(CpuBackends.ReferenceName);
            var expected = scenario.Run(oracle);
            var flash = RunVulkan(scenario, AttentionKernel.Flash, out var flashShaders);
            var split = RunVulkan(scenario, AttentionKernel.Split, out var splitShaders);
            var simple = RunVulkan(scenario, AttentionKernel.Simple, out _);
            var auto = RunVulkan(scenario, AttentionKernel.Auto, out _);
            Assert.Contains(flashShaders, s => s.StartsWith("attention_flash_", StringComparison.Ordinal));
            Assert.Contains("attention_combine", splitShaders);
            foreach (var (name, actual) in new[] { ("flash", flash), ("split", split), ("simple", simple), ("auto", auto) })
            {
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1, Math.Abs(expected[i])),
                        $"{name} {scenario.Describe()}: element {i}: expected {expected[i]}, got {actual[i]}");
            }
            Assert.Equal(flash, split);
        }
    }

    [VulkanFact]
    public void Decode_over_a_long_context_splits_and_prefill_tiles()
    {
        RunVulkan(Scenarios[0], AttentionKernel.Auto, out var decode);
        Assert.Equal(["attention_split_f16", "attention_combine"], decode.Where(s => s.StartsWith("attention", StringComparison.Ordinal)));
        RunVulkan(Scenarios[4], AttentionKernel.Auto, out var prefill);
        Assert.Equal(["attention_flash_f16"], prefill.Where(s => s.StartsWith("attention", StringComparison.Ordinal)));
        // A short context is not split: one chunk per row leaves nothing to spread.
        RunVulkan(AttentionScenario.Make(7, TensorType.F32, 2, 2, 16, 0, 0, 30, 1), AttentionKernel.Auto, out var shortDecode);
        Assert.Equal(["attention_flash_f32"], shortDecode.Where(s => s.StartsWith("attention", StringComparison.Ordinal)));
    }
}
