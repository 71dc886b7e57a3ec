using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// x [T, in] (8-bit activations in blocks of 32) @ an <see cref="InterleavedWeights"/> group of 8 rows of a K-quant
/// (<see cref="KLayout"/>) -> 8 outputs per token, for tiles of up to 4 tokens. Per sub-block of 32 the bit planes are
/// unpacked once into 8 chunks of u (4 elements of each row) and used for every token of the tile; the sub-block's d
/// (and m) per row is dA * scale (-dB * min) from the bytes, once per tile. Batch invariance as in
/// <see cref="InterleavedGemm"/>: per output, exact integer dots per half, then the same float steps in the same order
/// whatever the tile or T.
/// </summary>
internal static unsafe class InterleavedKGemm
{
    // Tokens in chunks that keep their 8-bit rows in L2 while every group of the range passes over them.
    private const int TokenChunk = 64;

    public static void Run(InterleavedWeights w, int g0, int g1, QuantizedActivations x, int t0, int t1, float* dst, int dstStride,
        InterleavedGemm.DotKind dot)
    {
        switch (w.Type)
        {
            case Hearth.Core.TensorType.Q2_K: ByDot<Q2_KPlanes>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q3_K: ByDot<Q3_KPlanes>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q4_K: ByDot<Q4_KPlanes>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q5_K: ByDot<Q5_KPlanes>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q6_K: ByDot<Q6_KPlanes>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            default: throw new ArgumentException($"no interleaved K-quant kernel for {w.Type}", nameof(w));
        }
    }

    private static void ByDot<TF>(InterleavedGemm.DotKind dot, InterleavedWeights w, int g0, int g1, QuantizedActivations x, int t0, int t1,
        float* dst, int dstStride) where TF : struct, IKPlanes
    {
        switch (dot)
        {
            case InterleavedGemm.DotKind.Vnni: Groups<TF, VnniByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case InterleavedGemm.DotKind.Avx2Small: Groups<TF, Avx2SmallByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case InterleavedGemm.DotKind.Avx2Wide: Groups<TF, Avx2WideByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case InterleavedGemm.DotKind.NeonDotSmall: Groups<TF, NeonDotSmallByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case InterleavedGemm.DotKind.NeonSmall: Groups<TF, NeonSmallByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case InterleavedGemm.DotKind.Portable: Groups<TF, PortableByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            default: throw new ArgumentException($"{dot} is not an exact dot for K-quants", nameof(dot));
        }
    }

    private static void Groups<TF, TD>(InterleavedWeights w, int g0, int g1, QuantizedActivations x, int t0, int t1, float* dst, int dstStride)
        where TF : struct, IKPlanes where TD : struct, IByteDot
    {
        int supers = w.Blocks / 8;
        for (int c0 = t0; c0 < t1; c0 += TokenChunk)
        {
            int c1 = Math.Min(t1, c0 + TokenChunk);
            int g = g0;
            // One token (decode): four groups (32 rows) a tile, four weight streams in flight and each broadcast of x
            // feeding four groups' dots, as the legacy quants' decode tile.
            if (c1 - c0 == 1)
                for (; g + 4 <= g1; g += 4)
                    Decode4<TF, TD>(w.Group(g), w.GroupStride, supers, x, c0, dst + (long)c0 * dstStride + g * 8, DecodePrefetch.Distance);
            int tiles = (c1 - c0 + 3) / 4;
            bool spread = tiles is > 1 and <= InterleavedGemm.MaxSpreadTiles && DecodePrefetch.Distance > 0;
            long part = spread ? w.GroupStride / tiles : 0, step = (part << 16) / w.Blocks;
            for (; g < g1; g++)
            {
                byte* group = w.Group(g);
                // The tiles of one group prefetch the next group between them, as InterleavedGemm's pairs.
                byte* pf = spread && g + 1 < g1 ? w.Group(g + 1) : null;
                long advance = pf is null ? 0 : part;
                float* o = dst + g * 8;
                int t = c0;
                for (; t + 4 <= c1; t += 4, pf += advance) Tile<TF, TD, Four>(group, supers, x, t, o + (long)t * dstStride, dstStride, pf, step);
                switch (c1 - t)
                {
                    case 3: Tile<TF, TD, Three>(group, supers, x, t, o + (long)t * dstStride, dstStride, pf, step); break;
                    case 2: Tile<TF, TD, Two>(group, supers, x, t, o + (long)t * dstStride, dstStride, pf, step); break;
                    case 1: Tile<TF, TD, One>(group, supers, x, t, o + (long)t * dstStride, dstStride, pf, step); break;
                }
            }
        }
    }

    // One group of 8 rows x TN.N tokens starting at t -> dst[n * dstStride + r].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TF, TD, TN>(byte* group, int supers, QuantizedActivations x, int t, float* dst, int dstStride, byte* pf, long pfStep)
        where TF : struct, IKPlanes where TD : struct, IByteDot where TN : struct, ITileTokens
    {
        int n = TN.N;
        sbyte* x0 = x.Qs(t), x1 = n > 1 ? x.Qs(t + 1) : x0, x2 = n > 2 ? x.Qs(t + 2) : x0, x3 = n > 3 ? x.Qs(t + 3) : x0;
        float* d0 = x.Scales(t), d1 = n > 1 ? x.Scales(t + 1) : d0, d2 = n > 2 ? x.Scales(t + 2) : d0, d3 = n > 3 ? x.Scales(t + 3) : d0;
        // Per-32 scales with mins read d_x * sum(x_q) per block; per-16 scales read sum(x_q) per 16.
        float* m0 = x.Sums(t), m1 = n > 1 ? x.Sums(t + 1) : m0, m2 = n > 2 ? x.Sums(t + 2) : m0, m3 = n > 3 ? x.Sums(t + 3) : m0;
        int* s0 = x.BSums(t), s1 = n > 1 ? x.BSums(t + 1) : s0, s2 = n > 2 ? x.BSums(t + 2) : s0, s3 = n > 3 ? x.BSums(t + 3) : s0;
        var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        int scaleBytes = TF.HalfMins ? 32 : 16;
        int superStride = KLayout.HeaderBytes + 8 * (scaleBytes + TF.QuantBytes);
        for (int sb = 0; sb < supers; sb++)
        {
            byte* super = group + (long)sb * superStride;
            var dA = Vector256.Load((float*)super);
            var negB = Vector256.Load((float*)super + 8);
            byte* scales = super + KLayout.HeaderBytes;
            byte* quants = scales + 8 * scaleBytes;
            for (int s = 0; s < 8; s++)
            {
                int b = sb * 8 + s, at = b * 32;
                if (pf is not null) Sse.Prefetch0(pf + ((b * pfStep) >> 16));
                byte* q = quants + s * TF.QuantBytes;
                byte* sc = scales + s * scaleBytes;
                // i: chunks 0..3 (elements 0..15), h: chunks 4..7 (16..31).
                var i0 = Vector256<int>.Zero; var i1 = i0; var i2 = i0; var i3 = i0;
                var h0 = i0; var h1 = i0; var h2 = i0; var h3 = i0;
                if (n == 1)
                {
                    // One token (decode): eight independent chains (the other tokens' accumulators are free), so the byte
                    // dots' latency does not bound the stream; integer sums are exact, so the result is the tiles' result.
                    i0 = TD.Add(i0, TF.Chunk(q, 0), InterleavedGemm.Broadcast(x0 + at)); h0 = TD.Add(h0, TF.Chunk(q, 4), InterleavedGemm.Broadcast(x0 + at + 16));
                    i1 = TD.Add(i1, TF.Chunk(q, 1), InterleavedGemm.Broadcast(x0 + at + 4)); h1 = TD.Add(h1, TF.Chunk(q, 5), InterleavedGemm.Broadcast(x0 + at + 20));
                    i2 = TD.Add(i2, TF.Chunk(q, 2), InterleavedGemm.Broadcast(x0 + at + 8)); h2 = TD.Add(h2, TF.Chunk(q, 6), InterleavedGemm.Broadcast(x0 + at + 24));
                    i3 = TD.Add(i3, TF.Chunk(q, 3), InterleavedGemm.Broadcast(x0 + at + 12)); h3 = TD.Add(h3, TF.Chunk(q, 7), InterleavedGemm.Broadcast(x0 + at + 28));
                    i0 = i0 + i1 + (i2 + i3);
                    h0 = h0 + h1 + (h2 + h3);
                }
                else
                {
                    Pair<TF, TD, TN>(q, 0, at, x0, x1, x2, x3, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                    Pair<TF, TD, TN>(q, 1, at, x0, x1, x2, x3, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                    Pair<TF, TD, TN>(q, 2, at, x0, x1, x2, x3, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                    Pair<TF, TD, TN>(q, 3, at, x0, x1, x2, x3, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                }
                if (TF.HalfScales)
                {
                    var dLow = Scale(sc) * dA;
                    var dHigh = Scale(sc + 8) * dA;
                    var mLow = TF.HalfMins ? Scale(sc + 16) * negB : default;
                    var mHigh = TF.HalfMins ? Scale(sc + 24) * negB : default;
                    a0 = FinishHalves<TF, TD>(a0, i0, h0, dLow, dHigh, mLow, mHigh, d0[b], s0 + 2 * b);
                    if (n > 1) a1 = FinishHalves<TF, TD>(a1, i1, h1, dLow, dHigh, mLow, mHigh, d1[b], s1 + 2 * b);
                    if (n > 2) a2 = FinishHalves<TF, TD>(a2, i2, h2, dLow, dHigh, mLow, mHigh, d2[b], s2 + 2 * b);
                    if (n > 3) a3 = FinishHalves<TF, TD>(a3, i3, h3, dLow, dHigh, mLow, mHigh, d3[b], s3 + 2 * b);
                }
                else
                {
                    // Q4_K / Q5_K: weight = d * u + m per sub-block, d = dA * scale, m = -dB * min.
                    var d = Scale(sc) * dA;
                    var m = Scale(sc + 8) * negB;
                    a0 = Finish(a0, i0 + h0, d, m, d0[b], m0[b]);
                    if (n > 1) a1 = Finish(a1, i1 + h1, d, m, d1[b], m1[b]);
                    if (n > 2) a2 = Finish(a2, i2 + h2, d, m, d2[b], m2[b]);
                    if (n > 3) a3 = Finish(a3, i3 + h3, d, m, d3[b], m3[b]);
                }
            }
        }
        a0.Store(dst);
        if (n > 1) a1.Store(dst + dstStride);
        if (n > 2) a2.Store(dst + 2L * dstStride);
        if (n > 3) a3.Store(dst + 3L * dstStride);
    }

    // Four groups (8 rows each, groupStride apart) x token t -> dst[0 .. 32). Per output the arithmetic of Tile: the same
    // exact integer sums per half (chunks 0..3 and 4..7), then the same float steps sub-block after sub-block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Decode4<TF, TD>(byte* group, long groupStride, int supers, QuantizedActivations x, int t, float* dst, int distance)
        where TF : struct, IKPlanes where TD : struct, IByteDot
    {
        sbyte* x0 = x.Qs(t);
        float* d0 = x.Scales(t), m0 = x.Sums(t);
        int* s0 = x.BSums(t);
        var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        int scaleBytes = TF.HalfMins ? 32 : 16;
        int superStride = KLayout.HeaderBytes + 8 * (scaleBytes + TF.QuantBytes);
        long gs = groupStride;
        for (int sb = 0; sb < supers; sb++)
        {
            byte* super = group + (long)sb * superStride;
            byte* scales = super + KLayout.HeaderBytes;
            byte* quants = scales + 8 * scaleBytes;
            for (int s = 0; s < 8; s++)
            {
                int b = sb * 8 + s, at = b * 32;
                byte* q = quants + s * TF.QuantBytes;
                if (distance > 0)
                    for (int line = 0; line < TF.QuantBytes; line += 64)
                    {
                        byte* ahead = q + distance + line;
                        Sse.Prefetch0(ahead); Sse.Prefetch0(ahead + gs); Sse.Prefetch0(ahead + 2 * gs); Sse.Prefetch0(ahead + 3 * gs);
                    }
                var i0 = Vector256<int>.Zero; var i1 = i0; var i2 = i0; var i3 = i0;
                var h0 = i0; var h1 = i0; var h2 = i0; var h3 = i0;
                // Written out per chunk pair (the JIT does not unroll), so each chunk's extraction is constant.
                Chunks4<TF, TD>(q, gs, 0, x0 + at, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                Chunks4<TF, TD>(q, gs, 1, x0 + at, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                Chunks4<TF, TD>(q, gs, 2, x0 + at, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                Chunks4<TF, TD>(q, gs, 3, x0 + at, ref i0, ref i1, ref i2, ref i3, ref h0, ref h1, ref h2, ref h3);
                byte* sc = scales + s * scaleBytes;
                a0 = FinishGroup<TF, TD>(a0, i0, h0, super, sc, d0[b], m0[b], s0 + 2 * b);
                a1 = FinishGroup<TF, TD>(a1, i1, h1, super + gs, sc + gs, d0[b], m0[b], s0 + 2 * b);
                a2 = FinishGroup<TF, TD>(a2, i2, h2, super + 2 * gs, sc + 2 * gs, d0[b], m0[b], s0 + 2 * b);
                a3 = FinishGroup<TF, TD>(a3, i3, h3, super + 3 * gs, sc + 3 * gs, d0[b], m0[b], s0 + 2 * b);
            }
        }
        a0.Store(dst);
        a1.Store(dst + 8);
        a2.Store(dst + 16);
        a3.Store(dst + 24);
    }

    // Chunks j and j + 4 of four groups against one token's x.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunks4<TF, TD>(byte* q, long gs, int j, sbyte* x,
        ref Vector256<int> i0, ref Vector256<int> i1, ref Vector256<int> i2, ref Vector256<int> i3,
        ref Vector256<int> h0, ref Vector256<int> h1, ref Vector256<int> h2, ref Vector256<int> h3)
        where TF : struct, IKPlanes where TD : struct, IByteDot
    {
        var lo = InterleavedGemm.Broadcast(x + 4 * j);
        var hi = InterleavedGemm.Broadcast(x + 16 + 4 * j);
        i0 = TD.Add(i0, TF.Chunk(q, j), lo); h0 = TD.Add(h0, TF.Chunk(q, j + 4), hi);
        i1 = TD.Add(i1, TF.Chunk(q + gs, j), lo); h1 = TD.Add(h1, TF.Chunk(q + gs, j + 4), hi);
        i2 = TD.Add(i2, TF.Chunk(q + 2 * gs, j), lo); h2 = TD.Add(h2, TF.Chunk(q + 2 * gs, j + 4), hi);
        i3 = TD.Add(i3, TF.Chunk(q + 3 * gs, j), lo); h3 = TD.Add(h3, TF.Chunk(q + 3 * gs, j + 4), hi);
    }

    // One group's sub-block step of Tile: its d (and m) from the super-block header and the sub-block's scale bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> FinishGroup<TF, TD>(Vector256<float> acc, Vector256<int> low, Vector256<int> high, byte* super, byte* sc,
        float dx, float sumX, int* sums16) where TF : struct, IKPlanes where TD : struct, IByteDot
    {
        var dA = Vector256.Load((float*)super);
        if (TF.HalfScales)
        {
            var negB = TF.HalfMins ? Vector256.Load((float*)super + 8) : default;
            var mLow = TF.HalfMins ? Scale(sc + 16) * negB : default;
            var mHigh = TF.HalfMins ? Scale(sc + 24) * negB : default;
            return FinishHalves<TF, TD>(acc, low, high, Scale(sc) * dA, Scale(sc + 8) * dA, mLow, mHigh, dx, sums16);
        }
        return Finish(acc, low + high, Scale(sc) * dA, Scale(sc + 8) * Vector256.Load((float*)super + 8), dx, sumX);
    }

    // Chunks j (elements 4j..4j+3) and j + 4 (16 + 4j..) of every token of the tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pair<TF, TD, TN>(byte* q, int j, int at, sbyte* x0, sbyte* x1, sbyte* x2, sbyte* x3,
        ref Vector256<int> i0, ref Vector256<int> i1, ref Vector256<int> i2, ref Vector256<int> i3,
        ref Vector256<int> h0, ref Vector256<int> h1, ref Vector256<int> h2, ref Vector256<int> h3)
        where TF : struct, IKPlanes where TD : struct, IByteDot where TN : struct, ITileTokens
    {
        int n = TN.N;
        var lo = TF.Chunk(q, j);
        var hi = TF.Chunk(q, j + 4);
        int k = at + 4 * j;
        i0 = TD.Add(i0, lo, InterleavedGemm.Broadcast(x0 + k)); h0 = TD.Add(h0, hi, InterleavedGemm.Broadcast(x0 + k + 16));
        if (n > 1) { i1 = TD.Add(i1, lo, InterleavedGemm.Broadcast(x1 + k)); h1 = TD.Add(h1, hi, InterleavedGemm.Broadcast(x1 + k + 16)); }
        if (n > 2) { i2 = TD.Add(i2, lo, InterleavedGemm.Broadcast(x2 + k)); h2 = TD.Add(h2, hi, InterleavedGemm.Broadcast(x2 + k + 16)); }
        if (n > 3) { i3 = TD.Add(i3, lo, InterleavedGemm.Broadcast(x3 + k)); h3 = TD.Add(h3, hi, InterleavedGemm.Broadcast(x3 + k + 16)); }
    }

    // 8 signed scale bytes -> 8 floats.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scale(byte* scales)
    {
        if (Avx2.IsSupported) return Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32((sbyte*)scales));
        if (AdvSimd.IsSupported)
        {
            var s16 = AdvSimd.SignExtendWideningLower(Vector64.Load((sbyte*)scales));
            return Vector256.Create(Vector128.ConvertToSingle(AdvSimd.SignExtendWideningLower(s16.GetLower())),
                Vector128.ConvertToSingle(AdvSimd.SignExtendWideningUpper(s16)));
        }
        var s = (sbyte*)scales;
        return Vector256.Create((float)s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    }

    // acc + float(dot) * (d * d_x) + m * (d_x * sum(x_q))
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Finish(Vector256<float> acc, Vector256<int> dot, Vector256<float> d, Vector256<float> m, float dx, float sumX)
    {
        acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(dot), d * Vector256.Create(dx), acc);
        return Vector256.FusedMultiplyAdd(m, Vector256.Create(sumX), acc);
    }

    // acc + float(low - c * sum(x_q[0..16))) * (dLow * d_x) + float(high - c * sum(x_q[16..32))) * (dHigh * d_x)
    //     [+ mLow * (d_x * sum(x_q[0..16))) + mHigh * (d_x * sum(x_q[16..32)))]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> FinishHalves<TF, TD>(Vector256<float> acc, Vector256<int> low, Vector256<int> high, Vector256<float> dLow,
        Vector256<float> dHigh, Vector256<float> mLow, Vector256<float> mHigh, float dx, int* sums16) where TF : struct, IKPlanes where TD : struct, IByteDot
    {
        var scale = Vector256.Create(dx);
        int c = TF.OffsetC - TD.Bias;
        if (c != 0)
        {
            low -= Vector256.Create(c * sums16[0]);
            high -= Vector256.Create(c * sums16[1]);
        }
        acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(low), dLow * scale, acc);
        acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(high), dHigh * scale, acc);
        if (TF.HalfMins)
        {
            acc = Vector256.FusedMultiplyAdd(mLow, Vector256.Create(dx * sums16[0]), acc);
            acc = Vector256.FusedMultiplyAdd(mHigh, Vector256.Create(dx * sums16[1]), acc);
        }
        return acc;
    }
}

/// <summary>How a K-quant's sub-block quants are stored in <see cref="KLayout"/>'s bit planes, and how a chunk is read.</summary>
internal unsafe interface IKPlanes
{
    /// <summary>Quant bytes per sub-block of 32 (8 rows).</summary>
    static abstract int QuantBytes { get; }
    /// <summary>A scale per half (16) of a sub-block (Q2_K, Q3_K, Q6_K); else a scale and a min per sub-block.</summary>
    static abstract bool HalfScales { get; }
    /// <summary>A min per half (Q2_K).</summary>
    static abstract bool HalfMins { get; }
    /// <summary>weight = d * (u - c).</summary>
    static abstract int OffsetC { get; }
    /// <summary>Chunk j (0..7): u of elements 4j..4j+3 of every row, byte 4r + i.</summary>
    static abstract Vector256<byte> Chunk(byte* q, int j);
}

internal static unsafe class KPlanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Nibble(byte* q, int j)
    {
        var mask = Vector256.Create((byte)0x0F);
        return j < 4 ? Vector256.Load(q + 32 * j) & mask : Vector256.ShiftRightLogical(Vector256.Load(q + 32 * (j - 4)).AsUInt16(), 4).AsByte() & mask;
    }

    /// <summary>Crumb j of the crumb planes at q, moved to bits <paramref name="to"/>..to+1 (16-bit shifts bring in only bits the mask drops).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Crumb(byte* q, int j, int to)
    {
        var v = Vector256.Load(q + 32 * (j / 4)).AsUInt16();
        int from = 2 * (j % 4);
        var moved = from == to ? v : from > to ? Vector256.ShiftRightLogical(v, from - to) : Vector256.ShiftLeft(v, to - from);
        return moved.AsByte() & Vector256.Create((byte)(3 << to));
    }

    /// <summary>Bit j of the bit plane at q, moved to bit <paramref name="to"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Bit(byte* q, int j, int to)
    {
        var v = Vector256.Load(q).AsUInt16();
        var moved = j == to ? v : j > to ? Vector256.ShiftRightLogical(v, j - to) : Vector256.ShiftLeft(v, to - j);
        return moved.AsByte() & Vector256.Create((byte)(1 << to));
    }
}

internal unsafe struct Q2_KPlanes : IKPlanes
{
    public static int QuantBytes => 64;
    public static bool HalfScales => true;
    public static bool HalfMins => true;
    public static int OffsetC => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Chunk(byte* q, int j) => KPlanes.Crumb(q, j, 0);
}

/// <summary>Q3_K: u = q + 4 (0..7) as nibbles.</summary>
internal unsafe struct Q3_KPlanes : IKPlanes
{
    public static int QuantBytes => 128;
    public static bool HalfScales => true;
    public static bool HalfMins => false;
    public static int OffsetC => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Chunk(byte* q, int j) => KPlanes.Nibble(q, j);
}

internal unsafe struct Q4_KPlanes : IKPlanes
{
    public static int QuantBytes => 128;
    public static bool HalfScales => false;
    public static bool HalfMins => false;
    public static int OffsetC => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Chunk(byte* q, int j) => KPlanes.Nibble(q, j);
}

internal unsafe struct Q5_KPlanes : IKPlanes
{
    public static int QuantBytes => 160;
    public static bool HalfScales => false;
    public static bool HalfMins => false;
    public static int OffsetC => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Chunk(byte* q, int j) => KPlanes.Nibble(q, j) | KPlanes.Bit(q + 128, j, 4);
}

/// <summary>Q6_K: u = q + 32 (0..63), low nibble plus 2 high bits.</summary>
internal unsafe struct Q6_KPlanes : IKPlanes
{
    public static int QuantBytes => 192;
    public static bool HalfScales => true;
    public static bool HalfMins => false;
    public static int OffsetC => 32;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Chunk(byte* q, int j) => KPlanes.Nibble(q, j) | KPlanes.Crumb(q + 128, j, 4);
}
