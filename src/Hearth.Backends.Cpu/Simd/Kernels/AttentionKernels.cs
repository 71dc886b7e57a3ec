using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// The two inner loops of attention over f32 rows. Each output's arithmetic is fixed (a score: 8-lane FMAs over the head
/// dimension, the same reduction tree, the tail, then the scale; a weighted sum: an FMA chain over the keys in order, then
/// the 1/sum), whatever the number of keys, so a query's result never depends on the tile or batch it is computed in.
/// </summary>
internal static unsafe class AttentionKernels
{
    // Keys ahead that the key-by-key loops prefetch (a key of head dim 64 is 4 cache lines).
    private const int PrefetchKeys = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(void* address)
    {
        if (Sse.IsSupported) Sse.Prefetch0(address);
    }

    /// <summary>scores[j] = scale * (query . keys[j * stride]) for j in [0, count); returns the largest.</summary>
    public static float Scores(float* query, float* keys, long stride, int count, int headDim, float scale, float* scores)
    {
        var max = Vector256.Create(float.NegativeInfinity);
        var scaleV = Vector256.Create(scale);
        float* last = keys + (count - 1) * stride;
        float* tail = stackalloc float[8];
        for (int j = 0; j < count; j += 8)
        {
            // Keys past the end repeat the last one; their scores are computed and dropped.
            float* k0 = keys + j * stride;
            float* k1 = j + 1 < count ? k0 + stride : last, k2 = j + 2 < count ? k0 + 2 * stride : last;
            float* k3 = j + 3 < count ? k0 + 3 * stride : last, k4 = j + 4 < count ? k0 + 4 * stride : last;
            float* k5 = j + 5 < count ? k0 + 5 * stride : last, k6 = j + 6 < count ? k0 + 6 * stride : last;
            float* k7 = j + 7 < count ? k0 + 7 * stride : last;
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
            int d = 0;
            for (; d + 8 <= headDim; d += 8)
            {
                var q = Vector256.Load(query + d);
                a0 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k0 + d), a0);
                a1 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k1 + d), a1);
                a2 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k2 + d), a2);
                a3 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k3 + d), a3);
                a4 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k4 + d), a4);
                a5 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k5 + d), a5);
                a6 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k6 + d), a6);
                a7 = Vector256.FusedMultiplyAdd(q, Vector256.Load(k7 + d), a7);
            }
            var sums = Reduce(a0, a1, a2, a3, a4, a5, a6, a7);
            if (d < headDim)
            {
                tail[0] = Tail(query, k0, d, headDim); tail[1] = Tail(query, k1, d, headDim);
                tail[2] = Tail(query, k2, d, headDim); tail[3] = Tail(query, k3, d, headDim);
                tail[4] = Tail(query, k4, d, headDim); tail[5] = Tail(query, k5, d, headDim);
                tail[6] = Tail(query, k6, d, headDim); tail[7] = Tail(query, k7, d, headDim);
                sums += Vector256.Load(tail);
            }
            sums *= scaleV;
            if (j + 8 <= count)
            {
                sums.Store(scores + j);
                max = Vector256.Max(max, sums);
            }
            else
            {
                for (int i = 0; i < count - j; i++)
                {
                    float s = sums.GetElement(i);
                    scores[j + i] = s;
                    max = Vector256.Max(max, Vector256.Create(s));
                }
            }
        }
        float m = float.NegativeInfinity;
        for (int i = 0; i < 8; i++) m = MathF.Max(m, max.GetElement(i));
        return m;
    }

    /// <summary>
    /// The scores of up to 8 query heads (<paramref name="query"/>: head h at h * headDim) against keys[j * stride], key by
    /// key: scores[j * 8 + h] = scale * (query_h . keys[j]) for h &lt; TH.N (lanes past N hold 0), and max lane-wise. Each key is
    /// loaded once for all the heads (the per-head loop re-reads a block of strided keys from L1 once per head, where a 1 KiB
    /// stride leaves it few cache sets). Every score's arithmetic is <see cref="Scores"/>'s: the same 8-lane FMA chain over
    /// the head dimension, the same reduction tree, the tail, then the scale, so both give the same bits.
    /// </summary>
    public static void HeadScores<TH>(float* query, float* keys, long stride, int count, int headDim, float scale, float* scores,
        ref Vector256<float> max) where TH : struct, ITileTokens
    {
        int n = TH.N;
        var scaleV = Vector256.Create(scale);
        float* q0 = query, q1 = q0 + headDim, q2 = q1 + headDim, q3 = q2 + headDim, q4 = q3 + headDim, q5 = q4 + headDim, q6 = q5 + headDim, q7 = q6 + headDim;
        float* tail = stackalloc float[8];
        var m = max;
        for (int j = 0; j < count; j++)
        {
            float* kj = keys + j * stride;
            // One key at a time keeps few cache misses in flight: fetch the key PrefetchKeys ahead (a cache past L3 is
            // otherwise read at DRAM latency, not bandwidth). A prefetch past the end of the keys is harmless.
            if (j + PrefetchKeys < count)
                for (int line = 0; line < headDim; line += 16) Prefetch(kj + PrefetchKeys * stride + line);
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
            int d = 0;
            for (; d + 8 <= headDim; d += 8)
            {
                var k = Vector256.Load(kj + d);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(q0 + d), k, a0);
                if (n > 1) a1 = Vector256.FusedMultiplyAdd(Vector256.Load(q1 + d), k, a1);
                if (n > 2) a2 = Vector256.FusedMultiplyAdd(Vector256.Load(q2 + d), k, a2);
                if (n > 3) a3 = Vector256.FusedMultiplyAdd(Vector256.Load(q3 + d), k, a3);
                if (n > 4) a4 = Vector256.FusedMultiplyAdd(Vector256.Load(q4 + d), k, a4);
                if (n > 5) a5 = Vector256.FusedMultiplyAdd(Vector256.Load(q5 + d), k, a5);
                if (n > 6) a6 = Vector256.FusedMultiplyAdd(Vector256.Load(q6 + d), k, a6);
                if (n > 7) a7 = Vector256.FusedMultiplyAdd(Vector256.Load(q7 + d), k, a7);
            }
            var sums = Reduce(a0, a1, a2, a3, a4, a5, a6, a7);
            if (d < headDim)
            {
                for (int h = 0; h < 8; h++) tail[h] = h < n ? Tail(query + h * headDim, kj, d, headDim) : 0f;
                sums += Vector256.Load(tail);
            }
            sums *= scaleV;
            sums.Store(scores + j * 8);
            m = Vector256.Max(m, sums);
        }
        max = m;
    }

    private static float Tail(float* a, float* b, int from, int to)
    {
        float sum = 0;
        for (int i = from; i < to; i++) sum += a[i] * b[i];
        return sum;
    }

    // Lane i of the result = the sum of the lanes of a_i.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduce(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7)
    {
        if (Avx.IsSupported)
        {
            var s0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            var s4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
            return Avx.Permute2x128(s0123, s4567, 0x20) + Avx.Permute2x128(s0123, s4567, 0x31);
        }
        return Vector256.Create(Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3),
            Vector256.Sum(a4), Vector256.Sum(a5), Vector256.Sum(a6), Vector256.Sum(a7));
    }

    /// <summary>
    /// output[d] = sum over j in order of weights[j * weightStride] * values[j * stride][d], continuing the sums already in
    /// output when <paramref name="accumulate"/> (so keys split into runs give exactly the one-run result).
    /// </summary>
    public static void WeightedSum(float* weights, int weightStride, float* values, long stride, int count, int headDim, float* output, bool accumulate)
    {
        int d = 0;
        for (; d + 32 <= headDim; d += 32)
        {
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            if (accumulate)
            {
                a0 = Vector256.Load(output + d); a1 = Vector256.Load(output + d + 8);
                a2 = Vector256.Load(output + d + 16); a3 = Vector256.Load(output + d + 24);
            }
            float* v = values + d;
            for (int j = 0; j < count; j++, v += stride)
            {
                var w = Vector256.Create(weights[j * weightStride]);
                a0 = Vector256.FusedMultiplyAdd(w, Vector256.Load(v), a0);
                a1 = Vector256.FusedMultiplyAdd(w, Vector256.Load(v + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(w, Vector256.Load(v + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(w, Vector256.Load(v + 24), a3);
            }
            a0.Store(output + d); a1.Store(output + d + 8); a2.Store(output + d + 16); a3.Store(output + d + 24);
        }
        if (d < headDim) WeightedSumFrom(d, weights, weightStride, values, stride, count, headDim, output, accumulate);
    }

    // WeightedSum's dimensions [d, headDim) past its 32-wide passes: 8 at a time, then one by one.
    private static void WeightedSumFrom(int d, float* weights, int weightStride, float* values, long stride, int count, int headDim, float* output, bool accumulate)
    {
        for (; d + 8 <= headDim; d += 8)
        {
            var a0 = accumulate ? Vector256.Load(output + d) : Vector256<float>.Zero;
            float* v = values + d;
            for (int j = 0; j < count; j++, v += stride) a0 = Vector256.FusedMultiplyAdd(Vector256.Create(weights[j * weightStride]), Vector256.Load(v), a0);
            a0.Store(output + d);
        }
        for (; d < headDim; d++)
        {
            float a = accumulate ? output[d] : 0f;
            float* v = values + d;
            for (int j = 0; j < count; j++, v += stride) a = MathF.FusedMultiplyAdd(weights[j * weightStride], *v, a);
            output[d] = a;
        }
    }

    /// <summary>
    /// <see cref="WeightedSum"/> for two heads that share the values: output0 with weights0, output1 with weights1. Each value
    /// vector is loaded once for both, and the two heads' eight accumulators are independent FMA chains (one head's four
    /// wait on the FMA latency). Every output is the same FMA chain over the keys in order, so the bits are WeightedSum's.
    /// </summary>
    public static void WeightedSum2(float* weights0, float* weights1, int weightStride, float* values, long stride, int count, int headDim,
        float* output0, float* output1, bool accumulate)
    {
        int d = 0;
        for (; d + 32 <= headDim; d += 32)
        {
            Vector256<float> a0, a1, a2, a3, b0, b1, b2, b3;
            if (accumulate)
            {
                a0 = Vector256.Load(output0 + d); a1 = Vector256.Load(output0 + d + 8); a2 = Vector256.Load(output0 + d + 16); a3 = Vector256.Load(output0 + d + 24);
                b0 = Vector256.Load(output1 + d); b1 = Vector256.Load(output1 + d + 8); b2 = Vector256.Load(output1 + d + 16); b3 = Vector256.Load(output1 + d + 24);
            }
            else { a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = Vector256<float>.Zero; }
            float* v = values + d;
            for (int j = 0; j < count; j++, v += stride)
            {
                if (j + PrefetchKeys < count) { Prefetch(v + PrefetchKeys * stride); Prefetch(v + PrefetchKeys * stride + 16); }
                var w0 = Vector256.Create(weights0[j * weightStride]);
                var w1 = Vector256.Create(weights1[j * weightStride]);
                var v0 = Vector256.Load(v); var v1 = Vector256.Load(v + 8); var v2 = Vector256.Load(v + 16); var v3 = Vector256.Load(v + 24);
                a0 = Vector256.FusedMultiplyAdd(w0, v0, a0); b0 = Vector256.FusedMultiplyAdd(w1, v0, b0);
                a1 = Vector256.FusedMultiplyAdd(w0, v1, a1); b1 = Vector256.FusedMultiplyAdd(w1, v1, b1);
                a2 = Vector256.FusedMultiplyAdd(w0, v2, a2); b2 = Vector256.FusedMultiplyAdd(w1, v2, b2);
                a3 = Vector256.FusedMultiplyAdd(w0, v3, a3); b3 = Vector256.FusedMultiplyAdd(w1, v3, b3);
            }
            a0.Store(output0 + d); a1.Store(output0 + d + 8); a2.Store(output0 + d + 16); a3.Store(output0 + d + 24);
            b0.Store(output1 + d); b1.Store(output1 + d + 8); b2.Store(output1 + d + 16); b3.Store(output1 + d + 24);
        }
        if (d < headDim)
        {
            // The last 1-31 dimensions: WeightedSum's own loops, head by head.
            WeightedSumFrom(d, weights0, weightStride, values, stride, count, headDim, output0, accumulate);
            WeightedSumFrom(d, weights1, weightStride, values, stride, count, headDim, output1, accumulate);
        }
    }

    /// <summary>output[d] *= inverse.</summary>
    public static void Scale(float* output, int headDim, float inverse)
    {
        int d = 0;
        for (; d + 8 <= headDim; d += 8) (Vector256.Load(output + d) * Vector256.Create(inverse)).Store(output + d);
        for (; d < headDim; d++) output[d] *= inverse;
    }
}
