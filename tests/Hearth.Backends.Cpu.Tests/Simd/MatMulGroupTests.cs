using System.Runtime.InteropServices;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Simd.Ops;
using Hearth.Backends.Cpu.Threading;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests.Simd;

/// <summary>
/// Products of one input grouped into one step (the fast backend's Q/K/V and gate/up pass) give bit for bit what the
/// separate steps give: every output is still computed by its own product's kernel, whatever the combined work split.
/// </summary>
public unsafe class MatMulGroupTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(5, 2)]
    [InlineData(70, 1)]
    public void Grouped_products_equal_separate_ones(int tokens, int threads)
    {
        const int width = 256;
        var random = new Random(17 + tokens);
        // Interleaved groups with and without per-16 sums (Q6_K's halves), tail rows past the last group of 8, one
        // product with no full group at all: every kind of member item.
        // Without the interleaved kernels (no AVX2) K-quants take Q8_K activations, so the group is of legacy types only.
        var members = InterleavedWeights.Supports(TensorType.Q4_K)
            ? new (TensorType Type, int Rows)[] { (TensorType.Q4_K, 24), (TensorType.Q6_K, 16), (TensorType.Q4_0, 13), (TensorType.Q8_0, 5) }
            : [(TensorType.Q4_1, 24), (TensorType.Q5_0, 16), (TensorType.Q4_0, 13), (TensorType.Q8_0, 5)];
        var weights = members.Select(m => InterleavedKernelTests.RandomWeight(m.Type, random, m.Rows, width)).ToArray();
        var x = new float[tokens * width];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);

        using var pool = new CpuThreadPool(threads);
        var activations = new QuantizedActivations(x.Length);
        var separate = members.Select(m => new float[tokens * m.Rows]).ToArray();
        var grouped = members.Select(m => new float[tokens * m.Rows]).ToArray();
        var handles = new[] { x }.Concat(separate).Concat(grouped).Select(a => GCHandle.Alloc(a, GCHandleType.Pinned)).ToArray();
        try
        {
            // The group first, on fresh activations: it must prepare everything its members read.
            var group = Steps(grouped);
            Assert.All(group.Skip(1), s => Assert.True(MatMulGroupStep.CanJoin(group[0], s)));
            new MatMulGroupStep(group, pool).Run();
            foreach (var step in Steps(separate)) step.Run();
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }

        MatMulStep[] Steps(float[][] outputs)
        {
            var steps = new MatMulStep[weights.Length];
            float* xp = (float*)handles[0].AddrOfPinnedObject();
            for (int i = 0; i < weights.Length; i++)
            {
                var w = weights[i];
                float* dst = (float*)handles[(outputs == separate ? 1 : 1 + members.Length) + i].AddrOfPinnedObject();
                steps[i] = new MatMulStep(xp, (byte*)w.Data, w.Type, tokens, width, w.Shape[0], dst, activations, pool, InterleavedWeights.For(w, pool));
            }
            return steps;
        }
        for (int i = 0; i < members.Length; i++)
        {
            Assert.Equal(separate[i], grouped[i]);
            Assert.Contains(separate[i], v => v != 0);
        }
    }
}
