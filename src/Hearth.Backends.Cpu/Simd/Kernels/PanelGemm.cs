using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// x [T, in] (F32) @ <see cref="PanelWeights"/> -> 16 outputs per panel per token. A panel is read in units of one
/// vector: with 512-bit vectors a unit is the whole panel (16 rows), with 256-bit vectors (AVX2) each half (8 rows),
/// with 128-bit vectors (Arm64 NEON) each quarter (4 rows; they run the 256-bit schedule on 4-row units).
/// Tiles of 2 units x up to 8 tokens (512-bit: 16 accumulators of the 32 registers) or up to 4 tokens (256-bit: 8 of
/// AVX2's 16): each unit column is loaded once per tile and multiplied by every token of the tile. 16-bit panels are
/// widened to an F32 copy once per chunk of 64 tokens when the chunk has more than 4 (decode widens in registers).
/// Batch invariance: every output is one FMA chain over k in order starting from zero (its lane of its unit's
/// accumulator), whatever the tile or the vector width, so a row of x gives the same outputs in any batch.
/// </summary>
internal static unsafe class PanelGemm
{
    private const int TokenChunk = 64;

    /// <summary>Panels [g0, g1) for tokens [0, tokens): dst[t * dstStride + 16 g + r].</summary>
    public static void Run(PanelWeights w, int g0, int g1, float* x, int tokens, float* dst, int dstStride)
    {
        if (Vector512.IsHardwareAccelerated) Run<Lanes512, Vector512<float>>(w, g0, g1, x, tokens, dst, dstStride);
        else if (Vector256.IsHardwareAccelerated) Run<Lanes256, Vector256<float>>(w, g0, g1, x, tokens, dst, dstStride);
        else Run<Lanes128, Vector128<float>>(w, g0, g1, x, tokens, dst, dstStride);
    }

    /// <summary>The same with the vector width chosen by the caller (tests run both where the machine can).</summary>
    internal static void Run<TL, TV>(PanelWeights w, int g0, int g1, float* x, int tokens, float* dst, int dstStride)
        where TL : struct, IPanelLanes<TV> where TV : struct
    {
        switch (w.Type)
        {
            case Hearth.Core.TensorType.F32: Panels<TL, TV, F32Column>(w, g0, g1, x, tokens, dst, dstStride); break;
            case Hearth.Core.TensorType.F16:
                float* scaled = tokens <= 4 ? Prescale(x, tokens * w.Width, w.F16Shift) : null;
                if (scaled != null) Panels<TL, TV, F16ScaledColumn>(w, g0, g1, scaled, tokens, dst, dstStride);
                else Panels<TL, TV, F16Column>(w, g0, g1, x, tokens, dst, dstStride);  // widened to exact floats first
                break;
            default: Panels<TL, TV, BF16Column>(w, g0, g1, x, tokens, dst, dstStride); break;
        }
    }

    [ThreadStatic] private static AlignedBuffer? _scaled;

    /// <summary>
    /// x * 2^(112 - shift) in a per-thread buffer for <see cref="F16ScaledColumn"/>, or null when some |x| is 2^(16 + shift)
    /// or more (the scaled x would overflow where x * w does not). An F16 panel's columns are read as w 2^(shift - 112)
    /// (<see cref="PanelF16"/>); scaling by a power of two is exact, so that times the scaled x is the same real product as
    /// w times x, and every FMA rounds as on the exact widened floats: the outputs are bit for bit those of the widened
    /// path (<see cref="F16Column"/>), with no rebiasing multiply per column.
    /// </summary>
    private static float* Prescale(float* x, int count, int shift)
    {
        long bytes = (long)count * sizeof(float);
        if (_scaled is null || _scaled.Bytes < bytes) _scaled = new AlignedBuffer(Math.Max(bytes, 4L * 8192 * sizeof(float)));
        float* s = (float*)_scaled.Pointer;
        float limitValue = MathF.ScaleB(1f, 16 + shift), scaleValue = PanelF16.Rebias(shift);
        var limit = Vector256.Create(limitValue);
        var scale = Vector256.Create(scaleValue);
        var over = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= count; i += 8)
        {
            var v = Vector256.Load(x + i);
            over |= Vector256.GreaterThanOrEqual(Vector256.Abs(v), limit);
            (v * scale).Store(s + i);
        }
        for (; i < count; i++)
        {
            if (MathF.Abs(x[i]) >= limitValue) return null;
            s[i] = x[i] * scaleValue;
        }
        return over == Vector256<float>.Zero ? s : null;
    }

    private static void Panels<TL, TV, TC>(PanelWeights w, int g0, int g1, float* x, int tokens, float* dst, int dstStride)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn
    {
        int width = w.Width;
        int perPanel = PanelWeights.Rows / TL.Lanes;
        int u0 = g0 * perPanel, u1 = g1 * perPanel;
        for (int c0 = 0; c0 < tokens; c0 += TokenChunk)
        {
            int c1 = Math.Min(tokens, c0 + TokenChunk);
            float* xc = x + (long)c0 * width, dc = dst + (long)c0 * dstStride;
            int u = u0;
            // F16 read without prescaled x (more than 4 tokens, or x too large to scale) always goes through the widened copy.
            bool widen = TC.Columns == 2 && (c1 - c0 > 4 || !TC.IsBF16 && !TC.IsScaled);
            if (c1 - c0 == 1 && !widen)
            {
                // One token (decode): four units at a time, four chains and four streams in flight; at 256 bits eight
                // units (four panels, four streams).
                if (TL.Lanes < PanelWeights.Rows && TC.Columns == 2)
                    for (; u + 8 <= u1; u += 8) Decode8<TL, TV, TC>(w, u, width, xc, dc + u * TL.Lanes, DecodePrefetch.Distance);
                for (; u + 4 <= u1; u += 4)
                    Decode4<TL, TV, TC>(Unit<TL, TV>(w, u), Unit<TL, TV>(w, u + 1), Unit<TL, TV>(w, u + 2), Unit<TL, TV>(w, u + 3), width, xc, dc + u * TL.Lanes, DecodePrefetch.Distance);
            }
            if (widen)
            {
                // Widening 16-bit columns inside the tiles costs a third of their vector work (and 256-bit lanes have
                // too few registers to hide it): widen each panel once per token chunk into an F32 panel (exact), then
                // run the F32 tiles on it from L2. On Zen 4 this took F16 pp512 from 82 to 96 t/s (AVX-512 and AVX2 alike).
                var rebias = TL.Broadcast(PanelF16.Rebias(w.F16Shift));
                if (TL.Lanes < PanelWeights.Rows)
                    for (; u < u1; u += 2) WidenedPanel<TL, TV, TC>(Unit<TL, TV>(w, u), width, xc, c1 - c0, dc + u * TL.Lanes, dstStride, rebias);
                else
                    for (; u < u1; u += 2)
                        WidenedPanels<TL, TV, TC>(Unit<TL, TV>(w, u), u + 1 < u1 ? Unit<TL, TV>(w, u + 1) : null, width, xc, c1 - c0, dc + u * TL.Lanes, dstStride, rebias);
            }
            for (; u < u1; u += 2)
            {
                bool pair = u + 1 < u1;
                byte* p0 = Unit<TL, TV>(w, u), p1 = pair ? Unit<TL, TV>(w, u + 1) : p0;
                float* o = dc + u * TL.Lanes;
                int t = 0, n = c1 - c0;
                if (TL.Lanes == 16)
                    for (; t + 8 <= n; t += 8) Tile2<TL, TV, TC, Eight>(p0, p1, pair, width, xc + (long)t * width, o + (long)t * dstStride, dstStride);
                for (; t + 4 <= n; t += 4) Tile2<TL, TV, TC, Four>(p0, p1, pair, width, xc + (long)t * width, o + (long)t * dstStride, dstStride);
                switch (n - t)
                {
                    case 3: Tile2<TL, TV, TC, Three>(p0, p1, pair, width, xc + (long)t * width, o + (long)t * dstStride, dstStride); break;
                    case 2: Tile2<TL, TV, TC, Two>(p0, p1, pair, width, xc + (long)t * width, o + (long)t * dstStride, dstStride); break;
                    case 1: Tile2<TL, TV, TC, One>(p0, p1, pair, width, xc + (long)t * width, o + (long)t * dstStride, dstStride); break;
                }
            }
        }
    }

    [ThreadStatic] private static AlignedBuffer? _widened;

    // Units p, p + 1 of a 16-bit panel (the two halves at 256 bits, half the panel at 128) x n tokens, through an F32 copy.
    private static void WidenedPanel<TL, TV, TC>(byte* p, int width, float* x, int n, float* dst, int dstStride, TV rebias)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn
    {
        long bytes = (long)((width + 1) & ~1) * 64;
        if (_widened is null || _widened.Bytes < bytes) _widened = new AlignedBuffer(bytes);
        byte* f = _widened.Pointer;
        for (int k = 0; k < width; k += 2)
        {
            for (int h = 0; h < 2; h++)
            {
                var loaded = Load<TL, TV, TC>(p + h * TL.Lanes * 4, k);
                TL.Store(Exact<TL, TV, TC>(loaded, 0, rebias), (float*)F32Column.Address(f, k) + h * TL.Lanes);
                TL.Store(Exact<TL, TV, TC>(loaded, 1, rebias), (float*)F32Column.Address(f, k + 1) + h * TL.Lanes);
            }
        }
        byte* f1 = f + TL.Lanes * 4;
        int t = 0;
        // F32 columns need no widening registers: 2 units x 6 tokens fit AVX2's 16.
        for (; t + 6 <= n; t += 6) Tile<TL, TV, F32Column, Six, TwoUnits>(f, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride);
        for (; t + 4 <= n; t += 4) Tile<TL, TV, F32Column, Four, TwoUnits>(f, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride);
        switch (n - t)
        {
            case 3: Tile<TL, TV, F32Column, Three, TwoUnits>(f, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
            case 2: Tile<TL, TV, F32Column, Two, TwoUnits>(f, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
            case 1: Tile<TL, TV, F32Column, One, TwoUnits>(f, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
        }
    }

    // Whole panels p0 and p1 (null: p0 only) at 512 bits x n tokens, each through an F32 copy [k][16].
    private static void WidenedPanels<TL, TV, TC>(byte* p0, byte* p1, int width, float* x, int n, float* dst, int dstStride, TV rebias)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn
    {
        long panelBytes = (long)((width + 1) & ~1) * 64;
        if (_widened is null || _widened.Bytes < 2 * panelBytes) _widened = new AlignedBuffer(2 * panelBytes);
        byte* f0 = _widened.Pointer, f1 = f0 + panelBytes;
        Widen<TL, TV, TC>(p0, width, f0, rebias);
        if (p1 is not null) Widen<TL, TV, TC>(p1, width, f1, rebias);
        int t = 0;
        if (p1 is not null)
        {
            for (; t + 8 <= n; t += 8) Tile<TL, TV, F32Column, Eight, TwoUnits>(f0, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride);
            for (; t + 4 <= n; t += 4) Tile<TL, TV, F32Column, Four, TwoUnits>(f0, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride);
            switch (n - t)
            {
                case 3: Tile<TL, TV, F32Column, Three, TwoUnits>(f0, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
                case 2: Tile<TL, TV, F32Column, Two, TwoUnits>(f0, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
                case 1: Tile<TL, TV, F32Column, One, TwoUnits>(f0, f1, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
            }
        }
        else
        {
            for (; t + 8 <= n; t += 8) Tile<TL, TV, F32Column, Eight, OneUnit>(f0, f0, width, x + (long)t * width, dst + (long)t * dstStride, dstStride);
            for (; t + 4 <= n; t += 4) Tile<TL, TV, F32Column, Four, OneUnit>(f0, f0, width, x + (long)t * width, dst + (long)t * dstStride, dstStride);
            switch (n - t)
            {
                case 3: Tile<TL, TV, F32Column, Three, OneUnit>(f0, f0, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
                case 2: Tile<TL, TV, F32Column, Two, OneUnit>(f0, f0, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
                case 1: Tile<TL, TV, F32Column, One, OneUnit>(f0, f0, width, x + (long)t * width, dst + (long)t * dstStride, dstStride); break;
            }
        }
    }

    // A whole 16-bit panel (one unit at 512 bits) widened to F32 columns of 16 rows.
    private static void Widen<TL, TV, TC>(byte* p, int width, byte* f, TV rebias)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn
    {
        for (int k = 0; k < width; k += 2)
        {
            var loaded = Load<TL, TV, TC>(p, k);
            TL.Store(Exact<TL, TV, TC>(loaded, 0, rebias), (float*)F32Column.Address(f, k));
            TL.Store(Exact<TL, TV, TC>(loaded, 1, rebias), (float*)F32Column.Address(f, k + 1));
        }
    }

    // Column c as the exact weights: an F16 column read as w 2^(shift - 112) times the panel's 2^(112 - shift).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Exact<TL, TV, TC>(TV loaded, int c, TV rebias) where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn =>
        TC.IsBF16 ? TL.BF16(loaded, c) : TL.Multiply(TL.F16Scaled(loaded, c), rebias);

    // Unit u: panel u / perPanel, rows (u % perPanel) * Lanes on; a lane is 4 bytes in every panel layout.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Unit<TL, TV>(PanelWeights w, int u) where TL : struct, IPanelLanes<TV> where TV : struct =>
        TL.Lanes == PanelWeights.Rows ? w.Group(u) : w.Group(u / (PanelWeights.Rows / TL.Lanes)) + u % (PanelWeights.Rows / TL.Lanes) * TL.Lanes * 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load<TL, TV, TC>(byte* unit, int k) where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn =>
        TL.Load(TC.Address(unit, k));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Column<TL, TV, TC>(TV loaded, int c) where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn =>
        TC.Columns == 1 ? loaded : TC.IsBF16 ? TL.BF16(loaded, c) : TL.F16Scaled(loaded, c);  // F16: only with prescaled x

    // Four units x one token -> dst[0 .. 4 Lanes); each output is the same FMA chain as in Tile. Four sequential
    // streams, prefetched ahead on Intel only (DecodePrefetch: on Zen 4 prefetching 2 KiB ahead cost 10-20%).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Decode4<TL, TV, TC>(byte* p0, byte* p1, byte* p2, byte* p3, int width, float* x, float* dst, int ahead)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn
    {
        var a0 = TL.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        int k = 0;
        if (TC.Columns == 1)
        {
            for (; k < width; k++)
            {
                var v = TL.Broadcast(x[k]);
                a0 = TL.Fma(Load<TL, TV, TC>(p0, k), v, a0);
                a1 = TL.Fma(Load<TL, TV, TC>(p1, k), v, a1);
                a2 = TL.Fma(Load<TL, TV, TC>(p2, k), v, a2);
                a3 = TL.Fma(Load<TL, TV, TC>(p3, k), v, a3);
            }
        }
        else
        {
            for (; k + 2 <= width; k += 2)
            {
                DecodePrefetch.Ahead(TC.Address(p0, k), ahead); DecodePrefetch.Ahead(TC.Address(p1, k), ahead);
                DecodePrefetch.Ahead(TC.Address(p2, k), ahead); DecodePrefetch.Ahead(TC.Address(p3, k), ahead);
                var c0 = Load<TL, TV, TC>(p0, k); var c1 = Load<TL, TV, TC>(p1, k); var c2 = Load<TL, TV, TC>(p2, k); var c3 = Load<TL, TV, TC>(p3, k);
                var v = TL.Broadcast(x[k]);
                a0 = TL.Fma(Column<TL, TV, TC>(c0, 0), v, a0);
                a1 = TL.Fma(Column<TL, TV, TC>(c1, 0), v, a1);
                a2 = TL.Fma(Column<TL, TV, TC>(c2, 0), v, a2);
                a3 = TL.Fma(Column<TL, TV, TC>(c3, 0), v, a3);
                v = TL.Broadcast(x[k + 1]);
                a0 = TL.Fma(Column<TL, TV, TC>(c0, 1), v, a0);
                a1 = TL.Fma(Column<TL, TV, TC>(c1, 1), v, a1);
                a2 = TL.Fma(Column<TL, TV, TC>(c2, 1), v, a2);
                a3 = TL.Fma(Column<TL, TV, TC>(c3, 1), v, a3);
            }
            if (k < width)
            {
                var v = TL.Broadcast(x[k]);
                a0 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p0, k), 0), v, a0);
                a1 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p1, k), 0), v, a1);
                a2 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p2, k), 0), v, a2);
                a3 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p3, k), 0), v, a3);
            }
        }
        TL.Store(a0, dst);
        TL.Store(a1, dst + TL.Lanes);
        TL.Store(a2, dst + 2 * TL.Lanes);
        TL.Store(a3, dst + 3 * TL.Lanes);
    }

    // Eight units (four panels of two 256-bit halves) x one token -> dst[0 .. 8 Lanes): each output the same FMA chain.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Decode8<TL, TV, TC>(PanelWeights w, int u, int width, float* x, float* dst, int ahead)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn
    {
        byte* p0 = Unit<TL, TV>(w, u), p2 = Unit<TL, TV>(w, u + 2), p4 = Unit<TL, TV>(w, u + 4), p6 = Unit<TL, TV>(w, u + 6);
        int half = TL.Lanes * 4;
        var a0 = TL.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
        int k = 0;
        for (; k + 2 <= width; k += 2)
        {
            DecodePrefetch.Ahead(TC.Address(p0, k), ahead); DecodePrefetch.Ahead(TC.Address(p2, k), ahead);
            DecodePrefetch.Ahead(TC.Address(p4, k), ahead); DecodePrefetch.Ahead(TC.Address(p6, k), ahead);
            var v0 = TL.Broadcast(x[k]);
            var v1 = TL.Broadcast(x[k + 1]);
            var c = Load<TL, TV, TC>(p0, k); a0 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a0));
            c = Load<TL, TV, TC>(p0 + half, k); a1 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a1));
            c = Load<TL, TV, TC>(p2, k); a2 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a2));
            c = Load<TL, TV, TC>(p2 + half, k); a3 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a3));
            c = Load<TL, TV, TC>(p4, k); a4 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a4));
            c = Load<TL, TV, TC>(p4 + half, k); a5 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a5));
            c = Load<TL, TV, TC>(p6, k); a6 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a6));
            c = Load<TL, TV, TC>(p6 + half, k); a7 = TL.Fma(Column<TL, TV, TC>(c, 1), v1, TL.Fma(Column<TL, TV, TC>(c, 0), v0, a7));
        }
        if (k < width)
        {
            var v0 = TL.Broadcast(x[k]);
            a0 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p0, k), 0), v0, a0);
            a1 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p0 + half, k), 0), v0, a1);
            a2 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p2, k), 0), v0, a2);
            a3 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p2 + half, k), 0), v0, a3);
            a4 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p4, k), 0), v0, a4);
            a5 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p4 + half, k), 0), v0, a5);
            a6 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p6, k), 0), v0, a6);
            a7 = TL.Fma(Column<TL, TV, TC>(Load<TL, TV, TC>(p6 + half, k), 0), v0, a7);
        }
        TL.Store(a0, dst); TL.Store(a1, dst + TL.Lanes); TL.Store(a2, dst + 2 * TL.Lanes); TL.Store(a3, dst + 3 * TL.Lanes);
        TL.Store(a4, dst + 4 * TL.Lanes); TL.Store(a5, dst + 5 * TL.Lanes); TL.Store(a6, dst + 6 * TL.Lanes); TL.Store(a7, dst + 7 * TL.Lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile2<TL, TV, TC, TN>(byte* p0, byte* p1, bool pair, int width, float* x, float* dst, int dstStride)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn where TN : struct, ITileTokens
    {
        if (pair) Tile<TL, TV, TC, TN, TwoUnits>(p0, p1, width, x, dst, dstStride);
        else Tile<TL, TV, TC, TN, OneUnit>(p0, p1, width, x, dst, dstStride);
    }

    // Units p0 (and p1 when pair) x TN.N tokens of x (rows `width` apart) -> dst[n * dstStride + (0 .. Lanes | Lanes .. 2 Lanes)].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TL, TV, TC, TN, TP>(byte* p0, byte* p1, int width, float* x, float* dst, int dstStride)
        where TL : struct, IPanelLanes<TV> where TV : struct where TC : struct, IPanelColumn where TN : struct, ITileTokens where TP : struct, IUnitCount
    {
        int n = TN.N;
        bool pair = TP.Pair;  // a JIT-time constant: no branch per FMA
        float* x0 = x, x1 = x + width, x2 = x + 2 * width, x3 = x + 3 * width;
        float* x4 = x + 4 * width, x5 = x + 5 * width, x6 = x + 6 * width, x7 = x + 7 * width;
        var a0 = TL.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
        var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0; var b4 = a0; var b5 = a0; var b6 = a0; var b7 = a0;
        // The column loop is written out per column (the JIT does not unroll), so each column's extraction is constant.
        int k = 0;
        if (TC.Columns == 1)
        {
            for (; k < width; k++)
            {
                var w0 = Load<TL, TV, TC>(p0, k);
                var w1 = pair ? Load<TL, TV, TC>(p1, k) : w0;
                var v = TL.Broadcast(x0[k]); a0 = TL.Fma(w0, v, a0); if (pair) b0 = TL.Fma(w1, v, b0);
                if (n > 1) { v = TL.Broadcast(x1[k]); a1 = TL.Fma(w0, v, a1); if (pair) b1 = TL.Fma(w1, v, b1); }
                if (n > 2) { v = TL.Broadcast(x2[k]); a2 = TL.Fma(w0, v, a2); if (pair) b2 = TL.Fma(w1, v, b2); }
                if (n > 3) { v = TL.Broadcast(x3[k]); a3 = TL.Fma(w0, v, a3); if (pair) b3 = TL.Fma(w1, v, b3); }
                if (n > 4) { v = TL.Broadcast(x4[k]); a4 = TL.Fma(w0, v, a4); if (pair) b4 = TL.Fma(w1, v, b4); }
                if (n > 5) { v = TL.Broadcast(x5[k]); a5 = TL.Fma(w0, v, a5); if (pair) b5 = TL.Fma(w1, v, b5); }
                if (n > 6) { v = TL.Broadcast(x6[k]); a6 = TL.Fma(w0, v, a6); if (pair) b6 = TL.Fma(w1, v, b6); }
                if (n > 7) { v = TL.Broadcast(x7[k]); a7 = TL.Fma(w0, v, a7); if (pair) b7 = TL.Fma(w1, v, b7); }
            }
        }
        else
        {
            for (; k + 2 <= width; k += 2)
            {
                var c0 = Load<TL, TV, TC>(p0, k);
                var c1 = pair ? Load<TL, TV, TC>(p1, k) : c0;
                {
                    var w0 = Column<TL, TV, TC>(c0, 0);
                    var w1 = Column<TL, TV, TC>(c1, 0);
                    var v = TL.Broadcast(x0[k]); a0 = TL.Fma(w0, v, a0); if (pair) b0 = TL.Fma(w1, v, b0);
                    if (n > 1) { v = TL.Broadcast(x1[k]); a1 = TL.Fma(w0, v, a1); if (pair) b1 = TL.Fma(w1, v, b1); }
                    if (n > 2) { v = TL.Broadcast(x2[k]); a2 = TL.Fma(w0, v, a2); if (pair) b2 = TL.Fma(w1, v, b2); }
                    if (n > 3) { v = TL.Broadcast(x3[k]); a3 = TL.Fma(w0, v, a3); if (pair) b3 = TL.Fma(w1, v, b3); }
                    if (n > 4) { v = TL.Broadcast(x4[k]); a4 = TL.Fma(w0, v, a4); if (pair) b4 = TL.Fma(w1, v, b4); }
                    if (n > 5) { v = TL.Broadcast(x5[k]); a5 = TL.Fma(w0, v, a5); if (pair) b5 = TL.Fma(w1, v, b5); }
                    if (n > 6) { v = TL.Broadcast(x6[k]); a6 = TL.Fma(w0, v, a6); if (pair) b6 = TL.Fma(w1, v, b6); }
                    if (n > 7) { v = TL.Broadcast(x7[k]); a7 = TL.Fma(w0, v, a7); if (pair) b7 = TL.Fma(w1, v, b7); }
                }
                {
                    var w0 = Column<TL, TV, TC>(c0, 1);
                    var w1 = Column<TL, TV, TC>(c1, 1);
                    var v = TL.Broadcast(x0[k + 1]); a0 = TL.Fma(w0, v, a0); if (pair) b0 = TL.Fma(w1, v, b0);
                    if (n > 1) { v = TL.Broadcast(x1[k + 1]); a1 = TL.Fma(w0, v, a1); if (pair) b1 = TL.Fma(w1, v, b1); }
                    if (n > 2) { v = TL.Broadcast(x2[k + 1]); a2 = TL.Fma(w0, v, a2); if (pair) b2 = TL.Fma(w1, v, b2); }
                    if (n > 3) { v = TL.Broadcast(x3[k + 1]); a3 = TL.Fma(w0, v, a3); if (pair) b3 = TL.Fma(w1, v, b3); }
                    if (n > 4) { v = TL.Broadcast(x4[k + 1]); a4 = TL.Fma(w0, v, a4); if (pair) b4 = TL.Fma(w1, v, b4); }
                    if (n > 5) { v = TL.Broadcast(x5[k + 1]); a5 = TL.Fma(w0, v, a5); if (pair) b5 = TL.Fma(w1, v, b5); }
                    if (n > 6) { v = TL.Broadcast(x6[k + 1]); a6 = TL.Fma(w0, v, a6); if (pair) b6 = TL.Fma(w1, v, b6); }
                    if (n > 7) { v = TL.Broadcast(x7[k + 1]); a7 = TL.Fma(w0, v, a7); if (pair) b7 = TL.Fma(w1, v, b7); }
                }
            }
            if (k < width)
            {
                var w0 = Column<TL, TV, TC>(Load<TL, TV, TC>(p0, k), 0);
                var w1 = pair ? Column<TL, TV, TC>(Load<TL, TV, TC>(p1, k), 0) : w0;
                var v = TL.Broadcast(x0[k]); a0 = TL.Fma(w0, v, a0); if (pair) b0 = TL.Fma(w1, v, b0);
                if (n > 1) { v = TL.Broadcast(x1[k]); a1 = TL.Fma(w0, v, a1); if (pair) b1 = TL.Fma(w1, v, b1); }
                if (n > 2) { v = TL.Broadcast(x2[k]); a2 = TL.Fma(w0, v, a2); if (pair) b2 = TL.Fma(w1, v, b2); }
                if (n > 3) { v = TL.Broadcast(x3[k]); a3 = TL.Fma(w0, v, a3); if (pair) b3 = TL.Fma(w1, v, b3); }
                if (n > 4) { v = TL.Broadcast(x4[k]); a4 = TL.Fma(w0, v, a4); if (pair) b4 = TL.Fma(w1, v, b4); }
                if (n > 5) { v = TL.Broadcast(x5[k]); a5 = TL.Fma(w0, v, a5); if (pair) b5 = TL.Fma(w1, v, b5); }
                if (n > 6) { v = TL.Broadcast(x6[k]); a6 = TL.Fma(w0, v, a6); if (pair) b6 = TL.Fma(w1, v, b6); }
                if (n > 7) { v = TL.Broadcast(x7[k]); a7 = TL.Fma(w0, v, a7); if (pair) b7 = TL.Fma(w1, v, b7); }
            }
        }
        Store<TL, TV>(a0, b0, pair, dst);
        if (n > 1) Store<TL, TV>(a1, b1, pair, dst + dstStride);
        if (n > 2) Store<TL, TV>(a2, b2, pair, dst + 2L * dstStride);
        if (n > 3) Store<TL, TV>(a3, b3, pair, dst + 3L * dstStride);
        if (n > 4) Store<TL, TV>(a4, b4, pair, dst + 4L * dstStride);
        if (n > 5) Store<TL, TV>(a5, b5, pair, dst + 5L * dstStride);
        if (n > 6) Store<TL, TV>(a6, b6, pair, dst + 6L * dstStride);
        if (n > 7) Store<TL, TV>(a7, b7, pair, dst + 7L * dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TL, TV>(TV a, TV b, bool pair, float* dst) where TL : struct, IPanelLanes<TV> where TV : struct
    {
        TL.Store(a, dst);
        if (pair) TL.Store(b, dst + TL.Lanes);
    }
}

/// <summary>
/// The vector operations of <see cref="PanelGemm"/> at one width: a unit of <see cref="Lanes"/> rows, loaded as raw
/// 32-bit lanes (an F32 column, or an F16 / BF16 column pair per lane) and widened to floats.
/// </summary>
internal unsafe interface IPanelLanes<TV> where TV : struct
{
    static abstract int Lanes { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(void* address);
    static abstract TV Broadcast(float value);
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract void Store(TV value, float* dst);
    static abstract TV Multiply(TV a, TV b);
    /// <summary>Column c (0 or 1) of a loaded F16 pair per lane as floats, times 2^(shift - 112) (<see cref="PanelF16"/>).</summary>
    static abstract TV F16Scaled(TV loaded, int c);
    /// <summary>Column c (0 or 1) of a loaded BF16 pair per lane, as floats.</summary>
    static abstract TV BF16(TV loaded, int c);
}

// F16 column c's bits in the top half of each lane (h << 16), then exact for finite f16 (PanelWeights does not repack
// matrices with infinities or NaNs): an arithmetic shift right by 3 puts the exponent and mantissa in f32 position and
// keeps the sign in bit 31 (its copies in bits 30..28 are masked off). That float is the stored f16 times 2^-112; the
// panel stores w 2^shift (PanelWeights.F16Shift, exact), so it is w 2^(shift - 112), and a multiply by Rebias(shift)
// gives w (the widened path) or x is prescaled by it (decode). Two or three operations a column. BF16: its bits in the
// top half are the f32.
internal static class PanelF16
{
    public const int Mask = unchecked((int)0x8FFFE000);

    /// <summary>2^(112 - shift).</summary>
    public static float Rebias(int shift) => MathF.ScaleB(1f, 112 - shift);
}

internal unsafe struct Lanes512 : IPanelLanes<Vector512<float>>
{
    public static int Lanes => 16;
    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(void* address) => Vector512.Load((float*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, float* dst) => value.Store(dst);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> F16Scaled(Vector512<float> loaded, int c) =>
        (((c == 0 ? loaded.AsInt32() << 16 : loaded.AsInt32()) >> 3) & Vector512.Create(PanelF16.Mask)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> BF16(Vector512<float> loaded, int c) => Top(loaded, c).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Top(Vector512<float> loaded, int c) =>
        c == 0 ? loaded.AsUInt32() << 16 : loaded.AsUInt32() & Vector512.Create(0xFFFF0000u);
}

internal unsafe struct Lanes256 : IPanelLanes<Vector256<float>>
{
    public static int Lanes => 8;
    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(void* address) => Vector256.Load((float*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, float* dst) => value.Store(dst);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> F16Scaled(Vector256<float> loaded, int c) =>
        (((c == 0 ? loaded.AsInt32() << 16 : loaded.AsInt32()) >> 3) & Vector256.Create(PanelF16.Mask)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> BF16(Vector256<float> loaded, int c) => Top(loaded, c).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Top(Vector256<float> loaded, int c) =>
        c == 0 ? loaded.AsUInt32() << 16 : loaded.AsUInt32() & Vector256.Create(0xFFFF0000u);
}

internal unsafe struct Lanes128 : IPanelLanes<Vector128<float>>
{
    public static int Lanes => 4;
    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(void* address) => Vector128.Load((float*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, float* dst) => value.Store(dst);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> F16Scaled(Vector128<float> loaded, int c) =>
        (((c == 0 ? loaded.AsInt32() << 16 : loaded.AsInt32()) >> 3) & Vector128.Create(PanelF16.Mask)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> BF16(Vector128<float> loaded, int c) =>
        (c == 0 ? loaded.AsUInt32() << 16 : loaded.AsUInt32() & Vector128.Create(0xFFFF0000u)).AsSingle();
}

/// <summary>Where column k of a unit is (<see cref="Columns"/> columns per load) and how its lanes hold the element type.</summary>
internal unsafe interface IPanelColumn
{
    static abstract int Columns { get; }
    static abstract bool IsBF16 { get; }
    /// <summary>F16 read as w 2^-112, for x prescaled by 2^112 (<see cref="PanelGemm"/>'s Prescale).</summary>
    static abstract bool IsScaled { get; }
    static abstract void* Address(byte* unit, int k);
}

// A panel column (16 rows, 4 bytes a lane) is 64 bytes apart: F32 one column, F16 and BF16 the pair k, k + 1 (k even).
internal unsafe struct F32Column : IPanelColumn
{
    public static int Columns => 1;
    public static bool IsBF16 => false;
    public static bool IsScaled => false;
    public static void* Address(byte* unit, int k) => unit + (long)k * 64;
}

internal unsafe struct F16Column : IPanelColumn
{
    public static int Columns => 2;
    public static bool IsBF16 => false;
    public static bool IsScaled => false;
    public static void* Address(byte* unit, int k) => unit + (long)k * 32;
}

// The F16 panel read with x prescaled by 2^112: the same outputs bit for bit, a multiply fewer a column.
internal unsafe struct F16ScaledColumn : IPanelColumn
{
    public static int Columns => 2;
    public static bool IsBF16 => false;
    public static bool IsScaled => true;
    public static void* Address(byte* unit, int k) => unit + (long)k * 32;
}

internal unsafe struct BF16Column : IPanelColumn
{
    public static int Columns => 2;
    public static bool IsBF16 => true;
    public static bool IsScaled => false;
    public static void* Address(byte* unit, int k) => unit + (long)k * 32;
}

internal interface IUnitCount
{
    static abstract bool Pair { get; }
}

internal struct OneUnit : IUnitCount { public static bool Pair => false; }
internal struct TwoUnits : IUnitCount { public static bool Pair => true; }

internal struct Five : ITileTokens { public static int N => 5; }
internal struct Six : ITileTokens { public static int N => 6; }
internal struct Seven : ITileTokens { public static int N => 7; }
internal struct Eight : ITileTokens { public static int N => 8; }
