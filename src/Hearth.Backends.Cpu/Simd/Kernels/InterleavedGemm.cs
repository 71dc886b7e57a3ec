using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// x [T, in] (8-bit activations) @ an <see cref="InterleavedWeights"/> group of 8 rows of a legacy type (K-quants:
/// <see cref="InterleavedKGemm"/>) -> 8 outputs per token, in tiles of two groups (or one) x up to 4 tokens, and of
/// four groups x one token for decode: each group's quants are loaded (and 4-bit ones unpacked) once per block and used
/// for every token of the tile, each token's x for every group. Batch invariance: an output's arithmetic is the same whatever the tile size or T (integer
/// block dot, then acc = fma(float(dot - c * sum(x_q)), d * d_x, acc) block after block in order, then + m * d_x sum(x_q)
/// for types with m), so a request's result does not depend on what else is in the batch.
/// </summary>
internal static unsafe class InterleavedGemm
{
    /// <summary>Which byte-dot the kernels use (tests pin each one to check it against the others).</summary>
    public enum DotKind { Auto, Vnni, Avx2Small, Avx2Wide, Avx2Signed, NeonDotSmall, NeonDotSigned, NeonSmall, NeonSigned, Portable }

    /// <summary>The dots that read u as signed bytes (u at most 127): every type but Q8_0.</summary>
    public static bool IsSmall(DotKind dot) => dot is DotKind.Avx2Small or DotKind.NeonDotSmall or DotKind.NeonSmall;

    /// <summary>The dots that take 128 off every u (for Q8_0 only).</summary>
    public static bool IsSigned(DotKind dot) => dot is DotKind.Avx2Signed or DotKind.NeonDotSigned or DotKind.NeonSigned;

    public static DotKind Chosen(InterleavedWeights w, DotKind requested = DotKind.Auto)
    {
        if (requested != DotKind.Auto) return requested;
        if (VnniByteDot.IsSupported) return DotKind.Vnni;
        bool q8 = w.Type == Hearth.Core.TensorType.Q8_0;
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) return q8 ? DotKind.Avx2Signed : DotKind.Avx2Small;
        if (NeonDotSmallByteDot.IsSupported) return q8 ? DotKind.NeonDotSigned : DotKind.NeonDotSmall;
        if (System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported) return q8 ? DotKind.NeonSigned : DotKind.NeonSmall;
        return DotKind.Portable;
    }

    /// <summary>Groups [g0, g1) for tokens [t0, t1): dst[t * dstStride + 8 g + r] (r the row in the group).</summary>
    public static void Run(InterleavedWeights w, int g0, int g1, QuantizedActivations x, int t0, int t1, float* dst, int dstStride, DotKind dot)
    {
        switch (w.Type)
        {
            case Hearth.Core.TensorType.Q4_0: ByDot<Q4_0Format>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q4_1: ByDot<Q4_1Format>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q5_0: ByDot<Q5_0Format>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q5_1: ByDot<Q5_1Format>(dot, w, g0, g1, x, t0, t1, dst, dstStride); break;
            case Hearth.Core.TensorType.Q2_K or Hearth.Core.TensorType.Q3_K or Hearth.Core.TensorType.Q4_K or Hearth.Core.TensorType.Q5_K
                or Hearth.Core.TensorType.Q6_K:
                InterleavedKGemm.Run(w, g0, g1, x, t0, t1, dst, dstStride, dot);
                break;
            case Hearth.Core.TensorType.Q8_0:
                if (IsSmall(dot)) throw new ArgumentException($"Q8_0's quants overflow the small byte dot {dot}", nameof(dot));
                ByDot<Q8_0Format>(dot, w, g0, g1, x, t0, t1, dst, dstStride);
                break;
            default: throw new ArgumentException($"no interleaved kernel for {w.Type}", nameof(w));
        }
    }

    private static void ByDot<TF>(DotKind dot, InterleavedWeights w, int g0, int g1, QuantizedActivations x, int t0, int t1, float* dst, int dstStride)
        where TF : struct, IInterleavedFormat
    {
        switch (dot)
        {
            case DotKind.Vnni: Groups<TF, VnniByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case DotKind.Avx2Small: Groups<TF, Avx2SmallByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case DotKind.Avx2Wide: Groups<TF, Avx2WideByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case DotKind.Avx2Signed: Groups<TF, Avx2SignedByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case DotKind.NeonDotSmall: Groups<TF, NeonDotSmallByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case DotKind.NeonDotSigned: Groups<TF, NeonDotSignedByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case DotKind.NeonSmall: Groups<TF, NeonSmallByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            case DotKind.NeonSigned: Groups<TF, NeonSignedByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
            default: Groups<TF, PortableByteDot>(w, g0, g1, x, t0, t1, dst, dstStride); break;
        }
    }

    // Tokens in chunks that keep their 8-bit rows in L2 while every group of the range passes over them.
    private const int TokenChunk = 64;

    private static void Groups<TF, TD>(InterleavedWeights w, int g0, int g1, QuantizedActivations x, int t0, int t1, float* dst, int dstStride)
        where TF : struct, IInterleavedFormat where TD : struct, IByteDot
    {
        for (int c0 = t0; c0 < t1; c0 += TokenChunk)
        {
            int c1 = Math.Min(t1, c0 + TokenChunk);
            int g = g0;
            // One token (decode): four groups (32 rows) a tile, four weight streams in flight and each broadcast of x
            // feeding four dots. Several tokens: two groups (16 rows) a tile, each broadcast of x feeding both groups'
            // dots and each token's scales and sums loaded once for both. Fewer instructions a product either way.
            if (c1 - c0 == 1)
            {
                for (; g + 4 <= g1; g += 4) Tile4<TF, TD>(w.Group(g), w.GroupStride, w.Blocks, x, c0, dst + (long)c0 * dstStride + g * 8, DecodePrefetch.Distance);
            }
            int distance = DecodePrefetch.Distance;
            for (; g + 2 <= g1; g += 2)
                Tokens<TF, TD, TwoUnits>(w.Group(g), w.Group(g + 1), w.Blocks, x, c0, c1, dst + g * 8, dstStride, distance, Next(w, g + 2), 2 * w.GroupStride);
            if (g < g1) Tokens<TF, TD, OneUnit>(w.Group(g), w.Group(g), w.Blocks, x, c0, c1, dst + g * 8, dstStride, distance, Next(w, g + 1), w.GroupStride);
        }
    }

    // Up to 32 tokens (batched decode); a prefill chunk's 16 tiles need memory slowly enough for the hardware prefetcher.
    internal const int MaxSpreadTiles = 8;

    private static byte* Next(InterleavedWeights w, int g) => g < w.Groups ? w.Group(g) : null;

    // Groups a and b (or a alone) x tokens [c0, c1) in tiles of up to 4 tokens. One tile streams its own weights,
    // prefetched `distance` bytes ahead. Several tiles read the weights from cache after the first, so the tiles together
    // prefetch the next groups (the `nextBytes` at `next`), each tile a 1/n part of them spread over its blocks: memory is
    // then read at an even pace over all the tiles' arithmetic instead of all in the first tile (tg32 x16, Q8_0 1.1B).
    private static void Tokens<TF, TD, TG>(byte* a, byte* b, int blocks, QuantizedActivations x, int c0, int c1, float* o, int dstStride,
        int distance, byte* next, long nextBytes)
        where TF : struct, IInterleavedFormat where TD : struct, IByteDot where TG : struct, IUnitCount
    {
        int tiles = (c1 - c0 + 3) / 4;
        byte* pf = null;
        long step = 0, part = 0;
        if (tiles is > 1 and <= MaxSpreadTiles && distance > 0 && next is not null)
        {
            pf = next;
            distance = 0;
            part = nextBytes / tiles;
            // 16.16 fixed-point bytes a block step (4 of them a block): the tiles cover nextBytes between them.
            step = (nextBytes << 16) / ((long)tiles * 4 * blocks);
        }
        int t = c0;
        for (; t + 4 <= c1; t += 4, pf += part, distance = 0)
            Tile2<TF, TD, Four, TG>(a, b, blocks, x, t, o + (long)t * dstStride, dstStride, distance, pf, step);
        switch (c1 - t)
        {
            case 3: Tile2<TF, TD, Three, TG>(a, b, blocks, x, t, o + (long)t * dstStride, dstStride, distance, pf, step); break;
            case 2: Tile2<TF, TD, Two, TG>(a, b, blocks, x, t, o + (long)t * dstStride, dstStride, distance, pf, step); break;
            case 1: Tile2<TF, TD, One, TG>(a, b, blocks, x, t, o + (long)t * dstStride, dstStride, distance, pf, step); break;
        }
    }

    // Groups a and b (8 rows each; b only where TG.Pair) x TN.N tokens starting at t -> dst[n * dstStride + r] (a) and
    // + 8 (b). Every output's arithmetic is the same whatever the tile: exact integer block dots, then the same float
    // steps block after block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2<TF, TD, TN, TG>(byte* groupA, byte* groupB, int blocks, QuantizedActivations x, int t, float* dst, int dstStride,
        int distance, byte* pf, long pfStep)
        where TF : struct, IInterleavedFormat where TD : struct, IByteDot where TN : struct, ITileTokens where TG : struct, IUnitCount
    {
        int n = TN.N;
        bool pair = TG.Pair;
        sbyte* x0 = x.Qs(t);
        long xs = x.Width;
        float* d0 = x.Scales(t), m0 = x.Sums(t);
        int* s0 = x.ISums(t);
        long ss = x.Width / 32;
        var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
        var mask = Vector256.Create((byte)0x0F);
        int superStride = InterleavedWeights.SuperStrideOf(TF.Nibbles, TF.HasOffsets);
        int headerBytes = TF.HasOffsets ? 128 : 64;
        // Block blk is member blk % 4 of a super-block: its f16 d (and m) at 16 member in the header, then its quants.
        byte* superA = groupA;
        long toB = groupB - groupA;
        int member = 0;
        for (int blk = 0; blk < blocks; blk++)
        {
            byte* qa = superA + headerBytes + member * (TF.Nibbles ? 128 : 256), qb = qa + toB;
            byte* ha = superA + 16 * member;
            sbyte* xb = x0 + blk * 32;
            // The integer offset correction (Bias - c) sum(x_q) starts each token's accumulators, shared by both
            // groups (the sums stay exact).
            var ia0 = Offset<TF, TD>(s0[blk]); var ib0 = ia0;
            var ia1 = n > 1 ? Offset<TF, TD>(s0[ss + blk]) : ia0; var ib1 = ia1;
            var ia2 = n > 2 ? Offset<TF, TD>(s0[2 * ss + blk]) : ia0; var ib2 = ia2;
            var ia3 = n > 3 ? Offset<TF, TD>(s0[3 * ss + blk]) : ia0; var ib3 = ia3;
            for (int j = 0; j < 4; j++)
            {
                if (pf is not null) Sse.Prefetch0(pf + (((4L * blk + j) * pfStep) >> 16));
                else if (!TF.Nibbles || (j & 1) == 0)
                {
                    byte* ahead = qa + j * (TF.Nibbles ? 32 : 64);
                    DecodePrefetch.Ahead(ahead, distance);
                    if (pair) DecodePrefetch.Ahead(ahead + toB, distance);
                }
                // Two weight vectors a group (the low and high nibbles, or chunks j and j + 4), with their x at k and k + kHigh.
                Vector256<byte> wa0, wa1, wb0, wb1;
                int k, kHigh;
                if (TF.Nibbles)
                {
                    var va = Vector256.Load(qa + j * 32);
                    var vb = pair ? Vector256.Load(qb + j * 32) : va;
                    wa0 = va & mask; wa1 = Vector256.ShiftRightLogical(va.AsUInt16(), 4).AsByte() & mask;
                    wb0 = vb & mask; wb1 = Vector256.ShiftRightLogical(vb.AsUInt16(), 4).AsByte() & mask;
                    k = j * 8; kHigh = 4;
                }
                else
                {
                    wa0 = Vector256.Load(qa + j * 32); wa1 = Vector256.Load(qa + j * 32 + 128);
                    wb0 = pair ? Vector256.Load(qb + j * 32) : wa0; wb1 = pair ? Vector256.Load(qb + j * 32 + 128) : wa1;
                    k = j * 4; kHigh = 16;
                }
                sbyte* xk = xb + k;
                var v = Broadcast(xk); ia0 = TD.Add(ia0, wa0, v); if (pair) ib0 = TD.Add(ib0, wb0, v);
                v = Broadcast(xk + kHigh); ia0 = TD.Add(ia0, wa1, v); if (pair) ib0 = TD.Add(ib0, wb1, v);
                if (n > 1)
                {
                    v = Broadcast(xk + xs); ia1 = TD.Add(ia1, wa0, v); if (pair) ib1 = TD.Add(ib1, wb0, v);
                    v = Broadcast(xk + xs + kHigh); ia1 = TD.Add(ia1, wa1, v); if (pair) ib1 = TD.Add(ib1, wb1, v);
                }
                if (n > 2)
                {
                    v = Broadcast(xk + 2 * xs); ia2 = TD.Add(ia2, wa0, v); if (pair) ib2 = TD.Add(ib2, wb0, v);
                    v = Broadcast(xk + 2 * xs + kHigh); ia2 = TD.Add(ia2, wa1, v); if (pair) ib2 = TD.Add(ib2, wb1, v);
                }
                if (n > 3)
                {
                    v = Broadcast(xk + 3 * xs); ia3 = TD.Add(ia3, wa0, v); if (pair) ib3 = TD.Add(ib3, wb0, v);
                    v = Broadcast(xk + 3 * xs + kHigh); ia3 = TD.Add(ia3, wa1, v); if (pair) ib3 = TD.Add(ib3, wb1, v);
                }
            }
            var da = HalfTable.FiniteToFloat((ushort*)ha);
            var db = pair ? HalfTable.FiniteToFloat((ushort*)(ha + toB)) : da;
            var ma = TF.HasOffsets ? HalfTable.FiniteToFloat((ushort*)(ha + 64)) : default;
            var mb = TF.HasOffsets && pair ? HalfTable.FiniteToFloat((ushort*)(ha + toB + 64)) : default;
            if (++member == 4)
            {
                member = 0;
                superA += superStride;
            }
            var dx = Vector256.Create(d0[blk]);
            var sx = TF.HasOffsets ? Vector256.Create(m0[blk]) : default;
            a0 = Scaled<TF>(a0, ia0, da, ma, dx, sx);
            if (pair) b0 = Scaled<TF>(b0, ib0, db, mb, dx, sx);
            if (n > 1)
            {
                dx = Vector256.Create(d0[ss + blk]);
                if (TF.HasOffsets) sx = Vector256.Create(m0[ss + blk]);
                a1 = Scaled<TF>(a1, ia1, da, ma, dx, sx);
                if (pair) b1 = Scaled<TF>(b1, ib1, db, mb, dx, sx);
            }
            if (n > 2)
            {
                dx = Vector256.Create(d0[2 * ss + blk]);
                if (TF.HasOffsets) sx = Vector256.Create(m0[2 * ss + blk]);
                a2 = Scaled<TF>(a2, ia2, da, ma, dx, sx);
                if (pair) b2 = Scaled<TF>(b2, ib2, db, mb, dx, sx);
            }
            if (n > 3)
            {
                dx = Vector256.Create(d0[3 * ss + blk]);
                if (TF.HasOffsets) sx = Vector256.Create(m0[3 * ss + blk]);
                a3 = Scaled<TF>(a3, ia3, da, ma, dx, sx);
                if (pair) b3 = Scaled<TF>(b3, ib3, db, mb, dx, sx);
            }
        }
        a0.Store(dst);
        if (pair) b0.Store(dst + 8);
        if (n > 1) a1.Store(dst + dstStride);
        if (n > 1 && pair) b1.Store(dst + dstStride + 8);
        if (n > 2) a2.Store(dst + 2L * dstStride);
        if (n > 2 && pair) b2.Store(dst + 2L * dstStride + 8);
        if (n > 3) a3.Store(dst + 3L * dstStride);
        if (n > 3 && pair) b3.Store(dst + 3L * dstStride + 8);
    }

    // Four consecutive groups (32 rows, the first at group, the others GroupStride apart) x one token t -> dst[0..32).
    // Each output's arithmetic is Tile2's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4<TF, TD>(byte* group, long groupStride, int blocks, QuantizedActivations x, int t, float* dst, int distance)
        where TF : struct, IInterleavedFormat where TD : struct, IByteDot
    {
        sbyte* x0 = x.Qs(t);
        float* d0 = x.Scales(t), m0 = x.Sums(t);
        int* s0 = x.ISums(t);
        var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        var mask = Vector256.Create((byte)0x0F);
        int superStride = InterleavedWeights.SuperStrideOf(TF.Nibbles, TF.HasOffsets);
        int headerBytes = TF.HasOffsets ? 128 : 64;
        byte* super = group;
        long gs = groupStride;
        int member = 0;
        for (int blk = 0; blk < blocks; blk++)
        {
            byte* q = super + headerBytes + member * (TF.Nibbles ? 128 : 256);
            byte* h = super + 16 * member;
            sbyte* xb = x0 + blk * 32;
            var i0 = Offset<TF, TD>(s0[blk]); var i1 = i0; var i2 = i0; var i3 = i0;
            for (int j = 0; j < 4; j++)
            {
                // A block's quants are 128 or 256 bytes a group: a line of each stream an iteration (Q8_0) or every other.
                if (!TF.Nibbles || (j & 1) == 0)
                {
                    byte* ahead = q + j * (TF.Nibbles ? 32 : 64);
                    DecodePrefetch.Ahead(ahead, distance); DecodePrefetch.Ahead(ahead + gs, distance);
                    DecodePrefetch.Ahead(ahead + 2 * gs, distance); DecodePrefetch.Ahead(ahead + 3 * gs, distance);
                }
                if (TF.Nibbles)
                {
                    var lo = Broadcast(xb + j * 8);
                    var hi = Broadcast(xb + j * 8 + 4);
                    var v0 = Vector256.Load(q + j * 32);
                    var v1 = Vector256.Load(q + gs + j * 32);
                    var v2 = Vector256.Load(q + 2 * gs + j * 32);
                    var v3 = Vector256.Load(q + 3 * gs + j * 32);
                    i0 = TD.Add(TD.Add(i0, v0 & mask, lo), Vector256.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & mask, hi);
                    i1 = TD.Add(TD.Add(i1, v1 & mask, lo), Vector256.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & mask, hi);
                    i2 = TD.Add(TD.Add(i2, v2 & mask, lo), Vector256.ShiftRightLogical(v2.AsUInt16(), 4).AsByte() & mask, hi);
                    i3 = TD.Add(TD.Add(i3, v3 & mask, lo), Vector256.ShiftRightLogical(v3.AsUInt16(), 4).AsByte() & mask, hi);
                }
                else
                {
                    var lo = Broadcast(xb + j * 4);
                    var hi = Broadcast(xb + j * 4 + 16);
                    i0 = TD.Add(TD.Add(i0, Vector256.Load(q + j * 32), lo), Vector256.Load(q + j * 32 + 128), hi);
                    i1 = TD.Add(TD.Add(i1, Vector256.Load(q + gs + j * 32), lo), Vector256.Load(q + gs + j * 32 + 128), hi);
                    i2 = TD.Add(TD.Add(i2, Vector256.Load(q + 2 * gs + j * 32), lo), Vector256.Load(q + 2 * gs + j * 32 + 128), hi);
                    i3 = TD.Add(TD.Add(i3, Vector256.Load(q + 3 * gs + j * 32), lo), Vector256.Load(q + 3 * gs + j * 32 + 128), hi);
                }
            }
            var dx = Vector256.Create(d0[blk]);
            var sx = TF.HasOffsets ? Vector256.Create(m0[blk]) : default;
            a0 = Scaled<TF>(a0, i0, HalfTable.FiniteToFloat((ushort*)h), TF.HasOffsets ? HalfTable.FiniteToFloat((ushort*)(h + 64)) : default, dx, sx);
            a1 = Scaled<TF>(a1, i1, HalfTable.FiniteToFloat((ushort*)(h + gs)), TF.HasOffsets ? HalfTable.FiniteToFloat((ushort*)(h + gs + 64)) : default, dx, sx);
            a2 = Scaled<TF>(a2, i2, HalfTable.FiniteToFloat((ushort*)(h + 2 * gs)), TF.HasOffsets ? HalfTable.FiniteToFloat((ushort*)(h + 2 * gs + 64)) : default, dx, sx);
            a3 = Scaled<TF>(a3, i3, HalfTable.FiniteToFloat((ushort*)(h + 3 * gs)), TF.HasOffsets ? HalfTable.FiniteToFloat((ushort*)(h + 3 * gs + 64)) : default, dx, sx);
            if (++member == 4)
            {
                member = 0;
                super += superStride;
            }
        }
        a0.Store(dst); a1.Store(dst + 8); a2.Store(dst + 16); a3.Store(dst + 24);
    }

    // The integer offset correction, (Bias - c) * sum(x_q) (the dot took Bias off every u), as a starting accumulator.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Offset<TF, TD>(int sumQ) where TF : struct, IInterleavedFormat where TD : struct, IByteDot =>
        TF.OffsetC != TD.Bias ? Vector256.Create((TD.Bias - TF.OffsetC) * sumQ) : Vector256<int>.Zero;

    // acc + float(dot) * (d * d_x) [+ m * (d_x * sum(x_q))], the dot holding the offset correction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scaled<TF>(Vector256<float> acc, Vector256<int> dot, Vector256<float> d, Vector256<float> m, Vector256<float> dx, Vector256<float> sumX)
        where TF : struct, IInterleavedFormat
    {
        acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(dot), d * dx, acc);
        if (TF.HasOffsets) acc = Vector256.FusedMultiplyAdd(m, sumX, acc);
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<sbyte> Broadcast(sbyte* x4) => Vector256.Create(*(int*)x4).AsSByte();
}

internal interface IInterleavedFormat
{
    static abstract bool Nibbles { get; }
    static abstract bool HasOffsets { get; }
    static abstract int OffsetC { get; }
}

internal struct Q4_0Format : IInterleavedFormat
{
    public static bool Nibbles => true;
    public static bool HasOffsets => false;
    public static int OffsetC => 8;
}

internal struct Q4_1Format : IInterleavedFormat
{
    public static bool Nibbles => true;
    public static bool HasOffsets => true;
    public static int OffsetC => 0;
}

internal struct Q8_0Format : IInterleavedFormat
{
    public static bool Nibbles => false;
    public static bool HasOffsets => false;
    public static int OffsetC => 128;
}

internal struct Q5_0Format : IInterleavedFormat
{
    public static bool Nibbles => false;
    public static bool HasOffsets => false;
    public static int OffsetC => 16;
}

/// <summary>Bytes with a free offset m.</summary>
internal struct Q5_1Format : IInterleavedFormat
{
    public static bool Nibbles => false;
    public static bool HasOffsets => true;
    public static int OffsetC => 0;
}

internal interface ITileTokens
{
    static abstract int N { get; }
}

internal struct One : ITileTokens { public static int N => 1; }
internal struct Two : ITileTokens { public static int N => 2; }
internal struct Three : ITileTokens { public static int N => 3; }
internal struct Four : ITileTokens { public static int N => 4; }
