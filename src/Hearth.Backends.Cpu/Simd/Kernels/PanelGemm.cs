using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// x [T, in] (F32) @ <see cref="PanelWeights"/> -> 16 outputs per panel per token, for tiles of 2 panels x up to 8
/// tokens (16 accumulators of 16 floats): each panel column is loaded and widened once per tile and multiplied by every
/// token of the tile. Batch invariance: every output is one FMA chain over k in order starting from zero (its lane of
/// its panel's accumulator), whatever the tile, so a row of x gives the same outputs in any batch.
/// </summary>
internal static unsafe class PanelGemm
{
    private const int TokenChunk = 64;
    private const int PrefetchColumns = 64;  // 2 KiB ahead in an F16 panel

    /// <summary>Panels [g0, g1) for tokens [0, tokens): dst[t * dstStride + 16 g + r].</summary>
    public static void Run(PanelWeights w, int g0, int g1, float* x, int tokens, float* dst, int dstStride)
    {
        switch (w.Type)
        {
            case Hearth.Core.TensorType.F32: Panels<F32Column>(w, g0, g1, x, tokens, dst, dstStride); break;
            case Hearth.Core.TensorType.F16: Panels<F16Column>(w, g0, g1, x, tokens, dst, dstStride); break;
            default: Panels<BF16Column>(w, g0, g1, x, tokens, dst, dstStride); break;
        }
    }

    private static void Panels<TC>(PanelWeights w, int g0, int g1, float* x, int tokens, float* dst, int dstStride) where TC : struct, IPanelColumn
    {
        int width = w.Width;
        for (int c0 = 0; c0 < tokens; c0 += TokenChunk)
        {
            int c1 = Math.Min(tokens, c0 + TokenChunk);
            int g = g0;
            if (c1 - c0 == 1)
            {
                // One token (decode): four panels at a time, four chains and four streams in flight.
                for (; g + 4 <= g1; g += 4)
                    Decode4<TC>(w.Group(g), w.Group(g + 1), w.Group(g + 2), w.Group(g + 3), width, x + (long)c0 * width, dst + (long)c0 * dstStride + g * 16);
            }
            for (; g < g1; g += 2)
            {
                bool pair = g + 1 < g1;
                byte* p0 = w.Group(g), p1 = pair ? w.Group(g + 1) : p0;
                int t = c0;
                for (; t + 8 <= c1; t += 8) Tile2<TC, Eight>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride);
                switch (c1 - t)
                {
                    case 7: Tile2<TC, Seven>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride); break;
                    case 6: Tile2<TC, Six>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride); break;
                    case 5: Tile2<TC, Five>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride); break;
                    case 4: Tile2<TC, Four>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride); break;
                    case 3: Tile2<TC, Three>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride); break;
                    case 2: Tile2<TC, Two>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride); break;
                    case 1: Tile2<TC, One>(p0, p1, pair, width, x + (long)t * width, dst + (long)t * dstStride + g * 16, dstStride); break;
                }
            }
        }
    }

    // Four panels x one token -> dst[0..63]; each output is the same FMA chain as in Tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Decode4<TC>(byte* p0, byte* p1, byte* p2, byte* p3, int width, float* x, float* dst) where TC : struct, IPanelColumn
    {
        var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        int k = 0;
        if (TC.Columns == 1)
        {
            for (; k < width; k++)
            {
                var v = Vector512.Create(x[k]);
                a0 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p0, k), 0), v, a0);
                a1 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p1, k), 0), v, a1);
                a2 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p2, k), 0), v, a2);
                a3 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p3, k), 0), v, a3);
            }
        }
        else
        {
            for (; k + 2 <= width; k += 2)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(TC.Address(p0, k + PrefetchColumns));
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(TC.Address(p1, k + PrefetchColumns));
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(TC.Address(p2, k + PrefetchColumns));
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(TC.Address(p3, k + PrefetchColumns));
                var c0 = TC.Load(p0, k); var c1 = TC.Load(p1, k); var c2 = TC.Load(p2, k); var c3 = TC.Load(p3, k);
                var v = Vector512.Create(x[k]);
                a0 = Vector512.FusedMultiplyAdd(TC.Column(c0, 0), v, a0);
                a1 = Vector512.FusedMultiplyAdd(TC.Column(c1, 0), v, a1);
                a2 = Vector512.FusedMultiplyAdd(TC.Column(c2, 0), v, a2);
                a3 = Vector512.FusedMultiplyAdd(TC.Column(c3, 0), v, a3);
                v = Vector512.Create(x[k + 1]);
                a0 = Vector512.FusedMultiplyAdd(TC.Column(c0, 1), v, a0);
                a1 = Vector512.FusedMultiplyAdd(TC.Column(c1, 1), v, a1);
                a2 = Vector512.FusedMultiplyAdd(TC.Column(c2, 1), v, a2);
                a3 = Vector512.FusedMultiplyAdd(TC.Column(c3, 1), v, a3);
            }
            if (k < width)
            {
                var v = Vector512.Create(x[k]);
                a0 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p0, k), 0), v, a0);
                a1 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p1, k), 0), v, a1);
                a2 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p2, k), 0), v, a2);
                a3 = Vector512.FusedMultiplyAdd(TC.Column(TC.Load(p3, k), 0), v, a3);
            }
        }
        a0.Store(dst);
        a1.Store(dst + 16);
        a2.Store(dst + 32);
        a3.Store(dst + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile2<TC, TN>(byte* p0, byte* p1, bool pair, int width, float* x, float* dst, int dstStride)
        where TC : struct, IPanelColumn where TN : struct, ITileTokens
    {
        if (pair) Tile<TC, TN, TwoPanels>(p0, p1, width, x, dst, dstStride);
        else Tile<TC, TN, OnePanel>(p0, p1, width, x, dst, dstStride);
    }

    // Panels p0 (and p1 when pair) x TN.N tokens of x (rows `width` apart) -> dst[n * dstStride + (0..15 | 16..31)].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TC, TN, TP>(byte* p0, byte* p1, int width, float* x, float* dst, int dstStride)
        where TC : struct, IPanelColumn where TN : struct, ITileTokens where TP : struct, IPanelCount
    {
        int n = TN.N;
        bool pair = TP.Pair;  // a JIT-time constant: no branch per FMA
        float* x0 = x, x1 = x + width, x2 = x + 2 * width, x3 = x + 3 * width;
        float* x4 = x + 4 * width, x5 = x + 5 * width, x6 = x + 6 * width, x7 = x + 7 * width;
        var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
        var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0; var b4 = a0; var b5 = a0; var b6 = a0; var b7 = a0;
        // The column loop is written out per column (the JIT does not unroll), so each column's extraction is constant.
        int k = 0;
        if (TC.Columns == 1)
        {
            for (; k < width; k++)
            {
                var w0 = TC.Column(TC.Load(p0, k), 0);
                var w1 = pair ? TC.Column(TC.Load(p1, k), 0) : w0;
                var v = Vector512.Create(x0[k]); a0 = Vector512.FusedMultiplyAdd(w0, v, a0); if (pair) b0 = Vector512.FusedMultiplyAdd(w1, v, b0);
                if (n > 1) { v = Vector512.Create(x1[k]); a1 = Vector512.FusedMultiplyAdd(w0, v, a1); if (pair) b1 = Vector512.FusedMultiplyAdd(w1, v, b1); }
                if (n > 2) { v = Vector512.Create(x2[k]); a2 = Vector512.FusedMultiplyAdd(w0, v, a2); if (pair) b2 = Vector512.FusedMultiplyAdd(w1, v, b2); }
                if (n > 3) { v = Vector512.Create(x3[k]); a3 = Vector512.FusedMultiplyAdd(w0, v, a3); if (pair) b3 = Vector512.FusedMultiplyAdd(w1, v, b3); }
                if (n > 4) { v = Vector512.Create(x4[k]); a4 = Vector512.FusedMultiplyAdd(w0, v, a4); if (pair) b4 = Vector512.FusedMultiplyAdd(w1, v, b4); }
                if (n > 5) { v = Vector512.Create(x5[k]); a5 = Vector512.FusedMultiplyAdd(w0, v, a5); if (pair) b5 = Vector512.FusedMultiplyAdd(w1, v, b5); }
                if (n > 6) { v = Vector512.Create(x6[k]); a6 = Vector512.FusedMultiplyAdd(w0, v, a6); if (pair) b6 = Vector512.FusedMultiplyAdd(w1, v, b6); }
                if (n > 7) { v = Vector512.Create(x7[k]); a7 = Vector512.FusedMultiplyAdd(w0, v, a7); if (pair) b7 = Vector512.FusedMultiplyAdd(w1, v, b7); }
            }
        }
        else
        {
            for (; k + 2 <= width; k += 2)
            {
                var c0 = TC.Load(p0, k);
                var c1 = pair ? TC.Load(p1, k) : c0;
                if (n == 1)
                {
                    // Decode streams the panels from memory once: keep more lines in flight than the hardware
                    // prefetcher does while the core is busy converting.
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(TC.Address(p0, k + PrefetchColumns));
                    if (pair) System.Runtime.Intrinsics.X86.Sse.Prefetch0(TC.Address(p1, k + PrefetchColumns));
                }
                {
                    var w0 = TC.Column(c0, 0);
                    var w1 = TC.Column(c1, 0);
                    var v = Vector512.Create(x0[k]); a0 = Vector512.FusedMultiplyAdd(w0, v, a0); if (pair) b0 = Vector512.FusedMultiplyAdd(w1, v, b0);
                    if (n > 1) { v = Vector512.Create(x1[k]); a1 = Vector512.FusedMultiplyAdd(w0, v, a1); if (pair) b1 = Vector512.FusedMultiplyAdd(w1, v, b1); }
                    if (n > 2) { v = Vector512.Create(x2[k]); a2 = Vector512.FusedMultiplyAdd(w0, v, a2); if (pair) b2 = Vector512.FusedMultiplyAdd(w1, v, b2); }
                    if (n > 3) { v = Vector512.Create(x3[k]); a3 = Vector512.FusedMultiplyAdd(w0, v, a3); if (pair) b3 = Vector512.FusedMultiplyAdd(w1, v, b3); }
                    if (n > 4) { v = Vector512.Create(x4[k]); a4 = Vector512.FusedMultiplyAdd(w0, v, a4); if (pair) b4 = Vector512.FusedMultiplyAdd(w1, v, b4); }
                    if (n > 5) { v = Vector512.Create(x5[k]); a5 = Vector512.FusedMultiplyAdd(w0, v, a5); if (pair) b5 = Vector512.FusedMultiplyAdd(w1, v, b5); }
                    if (n > 6) { v = Vector512.Create(x6[k]); a6 = Vector512.FusedMultiplyAdd(w0, v, a6); if (pair) b6 = Vector512.FusedMultiplyAdd(w1, v, b6); }
                    if (n > 7) { v = Vector512.Create(x7[k]); a7 = Vector512.FusedMultiplyAdd(w0, v, a7); if (pair) b7 = Vector512.FusedMultiplyAdd(w1, v, b7); }
                }
                {
                    var w0 = TC.Column(c0, 1);
                    var w1 = TC.Column(c1, 1);
                    var v = Vector512.Create(x0[k + 1]); a0 = Vector512.FusedMultiplyAdd(w0, v, a0); if (pair) b0 = Vector512.FusedMultiplyAdd(w1, v, b0);
                    if (n > 1) { v = Vector512.Create(x1[k + 1]); a1 = Vector512.FusedMultiplyAdd(w0, v, a1); if (pair) b1 = Vector512.FusedMultiplyAdd(w1, v, b1); }
                    if (n > 2) { v = Vector512.Create(x2[k + 1]); a2 = Vector512.FusedMultiplyAdd(w0, v, a2); if (pair) b2 = Vector512.FusedMultiplyAdd(w1, v, b2); }
                    if (n > 3) { v = Vector512.Create(x3[k + 1]); a3 = Vector512.FusedMultiplyAdd(w0, v, a3); if (pair) b3 = Vector512.FusedMultiplyAdd(w1, v, b3); }
                    if (n > 4) { v = Vector512.Create(x4[k + 1]); a4 = Vector512.FusedMultiplyAdd(w0, v, a4); if (pair) b4 = Vector512.FusedMultiplyAdd(w1, v, b4); }
                    if (n > 5) { v = Vector512.Create(x5[k + 1]); a5 = Vector512.FusedMultiplyAdd(w0, v, a5); if (pair) b5 = Vector512.FusedMultiplyAdd(w1, v, b5); }
                    if (n > 6) { v = Vector512.Create(x6[k + 1]); a6 = Vector512.FusedMultiplyAdd(w0, v, a6); if (pair) b6 = Vector512.FusedMultiplyAdd(w1, v, b6); }
                    if (n > 7) { v = Vector512.Create(x7[k + 1]); a7 = Vector512.FusedMultiplyAdd(w0, v, a7); if (pair) b7 = Vector512.FusedMultiplyAdd(w1, v, b7); }
                }
            }
            if (k < width)
            {
                var w0 = TC.Column(TC.Load(p0, k), 0);
                var w1 = pair ? TC.Column(TC.Load(p1, k), 0) : w0;
                var v = Vector512.Create(x0[k]); a0 = Vector512.FusedMultiplyAdd(w0, v, a0); if (pair) b0 = Vector512.FusedMultiplyAdd(w1, v, b0);
                if (n > 1) { v = Vector512.Create(x1[k]); a1 = Vector512.FusedMultiplyAdd(w0, v, a1); if (pair) b1 = Vector512.FusedMultiplyAdd(w1, v, b1); }
                if (n > 2) { v = Vector512.Create(x2[k]); a2 = Vector512.FusedMultiplyAdd(w0, v, a2); if (pair) b2 = Vector512.FusedMultiplyAdd(w1, v, b2); }
                if (n > 3) { v = Vector512.Create(x3[k]); a3 = Vector512.FusedMultiplyAdd(w0, v, a3); if (pair) b3 = Vector512.FusedMultiplyAdd(w1, v, b3); }
                if (n > 4) { v = Vector512.Create(x4[k]); a4 = Vector512.FusedMultiplyAdd(w0, v, a4); if (pair) b4 = Vector512.FusedMultiplyAdd(w1, v, b4); }
                if (n > 5) { v = Vector512.Create(x5[k]); a5 = Vector512.FusedMultiplyAdd(w0, v, a5); if (pair) b5 = Vector512.FusedMultiplyAdd(w1, v, b5); }
                if (n > 6) { v = Vector512.Create(x6[k]); a6 = Vector512.FusedMultiplyAdd(w0, v, a6); if (pair) b6 = Vector512.FusedMultiplyAdd(w1, v, b6); }
                if (n > 7) { v = Vector512.Create(x7[k]); a7 = Vector512.FusedMultiplyAdd(w0, v, a7); if (pair) b7 = Vector512.FusedMultiplyAdd(w1, v, b7); }
            }
        }
        Store(a0, b0, pair, dst);
        if (n > 1) Store(a1, b1, pair, dst + dstStride);
        if (n > 2) Store(a2, b2, pair, dst + 2L * dstStride);
        if (n > 3) Store(a3, b3, pair, dst + 3L * dstStride);
        if (n > 4) Store(a4, b4, pair, dst + 4L * dstStride);
        if (n > 5) Store(a5, b5, pair, dst + 5L * dstStride);
        if (n > 6) Store(a6, b6, pair, dst + 6L * dstStride);
        if (n > 7) Store(a7, b7, pair, dst + 7L * dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> a, Vector512<float> b, bool pair, float* dst)
    {
        a.Store(dst);
        if (pair) b.Store(dst + 16);
    }
}

/// <summary>One 512-bit load of a panel at column k (<see cref="Columns"/> columns of 16 rows), and column c of it as 16 floats.</summary>
internal unsafe interface IPanelColumn
{
    static abstract int Columns { get; }
    static abstract Vector512<uint> Load(byte* panel, int k);
    static abstract void* Address(byte* panel, int k);
    static abstract Vector512<float> Column(Vector512<uint> loaded, int c);
}

internal unsafe struct F32Column : IPanelColumn
{
    public static int Columns => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Load(byte* panel, int k) => Vector512.Load((uint*)panel + (long)k * 16);

    public static void* Address(byte* panel, int k) => (uint*)panel + (long)k * 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Column(Vector512<uint> loaded, int c) => loaded.AsSingle();
}

/// <summary>Panels of 16-bit elements: columns k and k + 1 (k even) in one load, 16 lanes of 2 halves.</summary>
internal static unsafe class PairedColumns
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Load(byte* panel, int k) => Vector512.Load((uint*)panel + (long)k * 8);

    public static void* Address(byte* panel, int k) => (uint*)panel + (long)k * 8;

    /// <summary>Column c (0 or 1) of a load, as the element's bits in the top half of each lane (h &lt;&lt; 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Top(Vector512<uint> loaded, int c) => c == 0 ? loaded << 16 : loaded & Vector512.Create(0xFFFF0000u);
}

internal unsafe struct F16Column : IPanelColumn
{
    public static int Columns => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Load(byte* panel, int k) => PairedColumns.Load(panel, k);

    public static void* Address(byte* panel, int k) => PairedColumns.Address(panel, k);

    // Column c's f16 bits moved to the top half of each lane (h << 16), then exact for finite f16 (PanelWeights does not
    // repack matrices with infinities or NaNs): exponent and mantissa shifted into f32 position and rebiased by a
    // multiply by 2^112 (which also normalises subnormals), and the sign selected back in.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Column(Vector512<uint> loaded, int c)
    {
        var top = PairedColumns.Top(loaded, c);
        var magnitude = ((top >>> 3) & Vector512.Create(0x0FFFE000u)).AsSingle() * Vector512.Create(0x77800000u).AsSingle();
        return Vector512.ConditionalSelect(Vector512.Create(0x80000000u), top, magnitude.AsUInt32()).AsSingle();
    }
}

internal unsafe struct BF16Column : IPanelColumn
{
    public static int Columns => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Load(byte* panel, int k) => PairedColumns.Load(panel, k);

    public static void* Address(byte* panel, int k) => PairedColumns.Address(panel, k);

    // bf16 bits in the top half of a lane are the f32 value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Column(Vector512<uint> loaded, int c) => PairedColumns.Top(loaded, c).AsSingle();
}

internal interface IPanelCount
{
    static abstract bool Pair { get; }
}

internal struct OnePanel : IPanelCount { public static bool Pair => false; }
internal struct TwoPanels : IPanelCount { public static bool Pair => true; }

internal struct Five : ITileTokens { public static int N => 5; }
internal struct Six : ITileTokens { public static int N => 6; }
internal struct Seven : ITileTokens { public static int N => 7; }
internal struct Eight : ITileTokens { public static int N => 8; }
