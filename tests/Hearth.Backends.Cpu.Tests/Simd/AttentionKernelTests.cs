using System.Runtime.Intrinsics;
using Hearth.Backends.Cpu.Simd.Kernels;

namespace Hearth.Backends.Cpu.Tests.Simd;

/// <summary>
/// The attention step picks its inner loops by the model's shape (heads scored key by key in groups of 8 when a KV group has
/// 4 or more query heads; weighted sums two heads at a time). Batch invariance and the cpu-vs-cpu-ref comparison cannot
/// see a loop that rounds differently from its per-head twin, so these check the bits directly: every variant against
/// the one-head kernel, and the one-head kernel against a double-precision dot.
/// </summary>
public unsafe class AttentionKernelTests
{
    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    [Theory]
    [InlineData(1, 64, 64, 37)]
    [InlineData(3, 64, 64, 8)]
    [InlineData(5, 20, 40, 13)]
    [InlineData(7, 37, 37, 9)]
    [InlineData(8, 64, 256, 130)]
    [InlineData(8, 5, 5, 1)]
    public void Head_scores_key_by_key_equal_the_per_head_scores(int heads, int headDim, int stride, int count)
    {
        var query = Random(8 * headDim, heads * 100 + headDim);
        var keys = Random(count * stride, count);
        float scale = 0.125f;
        var byKey = new float[count * 8];
        fixed (float* q = query, k = keys, s = byKey)
        {
            var max = Vector256.Create(float.NegativeInfinity);
            switch (heads)
            {
                case 1: AttentionKernels.HeadScores<One>(q, k, stride, count, headDim, scale, s, ref max); break;
                case 3: AttentionKernels.HeadScores<Three>(q, k, stride, count, headDim, scale, s, ref max); break;
                case 5: AttentionKernels.HeadScores<Five>(q, k, stride, count, headDim, scale, s, ref max); break;
                case 7: AttentionKernels.HeadScores<Seven>(q, k, stride, count, headDim, scale, s, ref max); break;
                default: AttentionKernels.HeadScores<Eight>(q, k, stride, count, headDim, scale, s, ref max); break;
            }
            for (int h = 0; h < heads; h++)
            {
                var perHead = new float[count];
                float perHeadMax;
                fixed (float* p = perHead) perHeadMax = AttentionKernels.Scores(q + h * headDim, k, stride, count, headDim, scale, p);
                for (int j = 0; j < count; j++)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(perHead[j]), BitConverter.SingleToInt32Bits(byKey[j * 8 + h]));
                    double exact = 0;
                    for (int d = 0; d < headDim; d++) exact += (double)query[h * headDim + d] * keys[j * stride + d];
                    Assert.True(Math.Abs(exact * scale - perHead[j]) < 1e-5, $"head {h} key {j}: {perHead[j]} vs {exact * scale}");
                }
                Assert.Equal(perHeadMax, max.GetElement(h));
            }
        }
    }

    [Theory]
    [InlineData(64, 64, 100, 1, false)]
    [InlineData(64, 256, 130, 8, true)]
    [InlineData(37, 40, 17, 1, true)]
    [InlineData(96, 96, 9, 8, false)]
    [InlineData(5, 5, 3, 1, false)]
    public void Two_head_weighted_sums_equal_one_head_at_a_time(int headDim, int stride, int count, int weightStride, bool accumulate)
    {
        var values = Random(count * stride, headDim + count);
        var weights = Random(count * weightStride + 1, 7);
        var start = Random(2 * headDim, 11);
        var pair = (float[])start.Clone();
        var single = (float[])start.Clone();
        fixed (float* w = weights, v = values, o2 = pair, o1 = single)
        {
            AttentionKernels.WeightedSum2(w, w + 1, weightStride, v, stride, count, headDim, o2, o2 + headDim, accumulate);
            AttentionKernels.WeightedSum(w, weightStride, v, stride, count, headDim, o1, accumulate);
            AttentionKernels.WeightedSum(w + 1, weightStride, v, stride, count, headDim, o1 + headDim, accumulate);
        }
        for (int i = 0; i < pair.Length; i++) Assert.Equal(BitConverter.SingleToInt32Bits(single[i]), BitConverter.SingleToInt32Bits(pair[i]));
        for (int h = 0; h < 2; h++)
            for (int d = 0; d < headDim; d++)
            {
                double exact = accumulate ? start[h * headDim + d] : 0;
                for (int j = 0; j < count; j++) exact += (double)weights[j * weightStride + h] * values[j * stride + d];
                Assert.True(Math.Abs(exact - single[h * headDim + d]) < 1e-4, $"head {h} dim {d}");
            }
    }
}
