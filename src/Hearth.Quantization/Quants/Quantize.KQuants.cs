using Hearth.Core.Quants;
using static Hearth.Quantization.Quants.BlockOffsets;

namespace Hearth.Quantization.Quants;

// K-quant super-blocks of 256, as ggml's quantize_row_q*_K_ref: each sub-block gets a float scale
// (and min) from a search in ScaleSearch.cs; the sub-block scales are then quantized against one f16
// super-block scale, and the elements are re-quantized against the scales as stored, so rounding of
// the stored scales is absorbed. Bit layouts are the ones Dequant.KQuants.cs reads.
public static partial class Quantize
{
    private const int QK_K = QuantBlocks.QK_K;

    // x [256] -> y [210]: 16 sub-blocks of 16, signed 8-bit scales, 6-bit levels (q - 32)
    private static void Q6_K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<byte> levels = stackalloc byte[QK_K];
        Span<float> scales = stackalloc float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int sub = 0; sub < 16; sub++)
        {
            scales[sub] = ScaleSearch.SymmetricBestOf(x.Slice(16 * sub, 16), 32, levels.Slice(16 * sub, 16));
            if (MathF.Abs(scales[sub]) > maxAbsScale)
            {
                maxAbsScale = MathF.Abs(scales[sub]);
                maxScale = scales[sub];
            }
        }
        if (maxAbsScale < ScaleSearch.GroupMaxEps) return; // all zeros: the cleared block decodes to 0

        float iscale = -128f / maxScale;
        float d = WriteHalf(y, Q6_K_D, 1 / iscale);
        for (int sub = 0; sub < 16; sub++)
        {
            int sc = Math.Min(127, NearestInt(iscale * scales[sub]));
            y[Q6_K_Scales + sub] = (byte)(sbyte)sc;
            float subScale = d * sc;
            if (subScale == 0) continue;
            for (int i = 16 * sub; i < 16 * sub + 16; i++)
                levels[i] = (byte)(Math.Clamp(NearestInt(x[i] / subScale), -32, 31) + 32);
        }

        // Per half of 128: quarter q, lane l -> low nibble in Ql[32 * (q % 2) + l] (low half of the
        // byte for quarters 0, 1), high 2 bits in bits 2q of Qh[l].
        for (int half = 0; half < 2; half++)
        {
            int e = 128 * half, ql = Q6_K_Ql + 64 * half, qh = Q6_K_Qh + 32 * half;
            for (int l = 0; l < 32; l++)
            {
                int q0 = levels[e + l], q1 = levels[e + l + 32], q2 = levels[e + l + 64], q3 = levels[e + l + 96];
                y[ql + l] = (byte)((q0 & 0x0F) | ((q2 & 0x0F) << 4));
                y[ql + l + 32] = (byte)((q1 & 0x0F) | ((q3 & 0x0F) << 4));
                y[qh + l] = (byte)((q0 >> 4) | ((q1 >> 4) << 2) | ((q2 >> 4) << 4) | ((q3 >> 4) << 6));
            }
        }
    }

    // x [256] -> y [110]: 16 sub-blocks of 16, 6-bit scales (stored + 32), 3-bit levels (q - 4)
    private static void Q3_K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<byte> levels = stackalloc byte[QK_K];
        Span<float> scales = stackalloc float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int sub = 0; sub < 16; sub++)
        {
            scales[sub] = ScaleSearch.SymmetricDescent(x.Slice(16 * sub, 16), 4, levels.Slice(16 * sub, 16));
            if (MathF.Abs(scales[sub]) > maxAbsScale)
            {
                maxAbsScale = MathF.Abs(scales[sub]);
                maxScale = scales[sub];
            }
        }

        var packed = y.Slice(Q3_K_Scales, 12);
        float d = 0;
        if (maxScale != 0)
        {
            float iscale = -32f / maxScale;
            for (int sub = 0; sub < 16; sub++)
            {
                int sc = Math.Clamp(NearestInt(iscale * scales[sub]), -32, 31) + 32;
                // Low 4 bits: nibbles of bytes 0..7; high 2 bits: byte 8 + sub % 4, bit pair sub / 4.
                if (sub < 8) packed[sub] |= (byte)(sc & 0x0F);
                else packed[sub - 8] |= (byte)((sc & 0x0F) << 4);
                packed[8 + sub % 4] |= (byte)((sc >> 4) << (2 * (sub / 4)));
            }
            d = WriteHalf(y, Q3_K_D, 1 / iscale);
        }

        for (int sub = 0; sub < 16; sub++)
        {
            int low = sub < 8 ? packed[sub] & 0x0F : packed[sub - 8] >> 4;
            int high = (packed[8 + sub % 4] >> (2 * (sub / 4))) & 3;
            float subScale = d * ((low | (high << 4)) - 32);
            if (subScale == 0) continue;
            for (int i = 16 * sub; i < 16 * sub + 16; i++)
                levels[i] = (byte)(Math.Clamp(NearestInt(x[i] / subScale), -4, 3) + 4);
        }

        // Level bit 2 -> HMask (bit e / 32 of HMask[e % 32]); low 2 bits -> the 2-bit planes.
        for (int e = 0; e < QK_K; e++)
        {
            if (levels[e] > 3)
            {
                y[Q3_K_HMask + e % 32] |= (byte)(1 << (e / 32));
                levels[e] -= 4;
            }
        }
        PackTwoBitPlanes(levels, y.Slice(Q3_K_Qs, 64));
    }

    // x [256] -> y [84]: 16 sub-blocks of 16, 4-bit scale and min each, 2-bit levels
    private static void Q2_K(ReadOnlySpan<float> x, Span<byte> y)
    {
        const float q4Scale = 15;
        Span<byte> levels = stackalloc byte[QK_K];
        Span<float> weights = stackalloc float[16];
        Span<float> scales = stackalloc float[16];
        Span<float> mins = stackalloc float[16];
        float maxScale = 0, maxMin = 0;
        for (int sub = 0; sub < 16; sub++)
        {
            var xs = x.Slice(16 * sub, 16);
            for (int l = 0; l < 16; l++) weights[l] = MathF.Abs(xs[l]);
            scales[sub] = ScaleSearch.AffineBestOf(xs, weights, 3, levels.Slice(16 * sub, 16), -0.5f, 0.1f, 15, useAbsoluteError: true, out mins[sub]);
            maxScale = MathF.Max(maxScale, scales[sub]);
            maxMin = MathF.Max(maxMin, mins[sub]);
        }

        var packed = y.Slice(Q2_K_Scales, 16);
        float d = 0, dmin = 0;
        if (maxScale > 0)
        {
            float iscale = q4Scale / maxScale;
            for (int sub = 0; sub < 16; sub++) packed[sub] = (byte)Math.Clamp(NearestInt(iscale * scales[sub]), 0, 15);
            d = WriteHalf(y, Q2_K_D, maxScale / q4Scale);
        }
        if (maxMin > 0)
        {
            float iscale = q4Scale / maxMin;
            for (int sub = 0; sub < 16; sub++) packed[sub] |= (byte)(Math.Clamp(NearestInt(iscale * mins[sub]), 0, 15) << 4);
            dmin = WriteHalf(y, Q2_K_DMin, maxMin / q4Scale);
        }

        for (int sub = 0; sub < 16; sub++)
        {
            float subScale = d * (packed[sub] & 0x0F);
            if (subScale == 0) continue;
            float subMin = dmin * (packed[sub] >> 4);
            for (int i = 16 * sub; i < 16 * sub + 16; i++)
                levels[i] = (byte)Math.Clamp(NearestInt((x[i] + subMin) / subScale), 0, 3);
        }
        PackTwoBitPlanes(levels, y.Slice(Q2_K_Qs, 64));
    }

    // x [256] -> y [144]: 8 sub-blocks of 32, 6-bit scale and min each, 4-bit levels
    private static void Q4_K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<byte> levels = stackalloc byte[QK_K];
        QuantizeScaleMinK(x, y, levels, nmax: 15, rmin: -1f, steps: 20, Q4_K_D, Q4_K_DMin, Q4_K_Scales);
        // Each 64 elements own 32 bytes: the first 32 in the low nibbles, the next 32 in the high.
        for (int e = 0; e < QK_K; e += 64)
        {
            for (int l = 0; l < 32; l++) y[Q4_K_Qs + e / 2 + l] = (byte)(levels[e + l] | (levels[e + l + 32] << 4));
        }
    }

    // x [256] -> y [176]: as Q4_K with 5-bit levels; bit 4 of element e goes to bit e / 32 of Qh[e % 32]
    private static void Q5_K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<byte> levels = stackalloc byte[QK_K];
        QuantizeScaleMinK(x, y, levels, nmax: 31, rmin: -0.5f, steps: 15, Q5_K_D, Q5_K_DMin, Q5_K_Scales);
        for (int e = 0; e < QK_K; e++)
        {
            if (levels[e] > 15) y[Q5_K_Qh + e % 32] |= (byte)(1 << (e / 32));
        }
        for (int e = 0; e < QK_K; e += 64)
        {
            for (int l = 0; l < 32; l++) y[Q5_K_Qs + e / 2 + l] = (byte)((levels[e + l] & 0x0F) | ((levels[e + l + 32] & 0x0F) << 4));
        }
    }

    // Q4_K / Q5_K common part: per sub-block of 32 an affine fit weighted by (rms + |x|), the 8 scales and
    // 8 mins quantized to 6 bits against f16 d and dmin (packed as get_scale_min_k4 reads them), then
    // every element re-quantized against the stored scale and min. x [256] -> levels [256] in [0, nmax].
    private static void QuantizeScaleMinK(ReadOnlySpan<float> x, Span<byte> y, Span<byte> levels, int nmax, float rmin, int steps,
        int dOffset, int dminOffset, int scalesOffset)
    {
        Span<float> weights = stackalloc float[32];
        Span<float> scales = stackalloc float[8];
        Span<float> mins = stackalloc float[8];
        float maxScale = 0, maxMin = 0;
        for (int sub = 0; sub < 8; sub++)
        {
            var xs = x.Slice(32 * sub, 32);
            float sumX2 = 0;
            foreach (float v in xs) sumX2 += v * v;
            float rms = MathF.Sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = rms + MathF.Abs(xs[l]);
            scales[sub] = ScaleSearch.AffineBestOf(xs, weights, nmax, levels.Slice(32 * sub, 32), rmin, 0.1f, steps, useAbsoluteError: false, out mins[sub]);
            maxScale = MathF.Max(maxScale, scales[sub]);
            maxMin = MathF.Max(maxMin, mins[sub]);
        }

        float invScale = maxScale > 0 ? 63 / maxScale : 0;
        float invMin = maxMin > 0 ? 63 / maxMin : 0;
        var packed = y.Slice(scalesOffset, QuantBlocks.K_SCALE_SIZE);
        for (int sub = 0; sub < 8; sub++)
        {
            int sc = Math.Clamp(NearestInt(invScale * scales[sub]), 0, 63);
            int m = Math.Clamp(NearestInt(invMin * mins[sub]), 0, 63);
            if (sub < 4)
            {
                packed[sub] = (byte)sc;
                packed[sub + 4] = (byte)m;
            }
            else
            {
                packed[sub + 4] = (byte)((sc & 0x0F) | ((m & 0x0F) << 4));
                packed[sub - 4] |= (byte)((sc >> 4) << 6);
                packed[sub] |= (byte)((m >> 4) << 6);
            }
        }
        float d = WriteHalf(y, dOffset, maxScale / 63);
        float dmin = WriteHalf(y, dminOffset, maxMin / 63);

        for (int sub = 0; sub < 8; sub++)
        {
            UnpackScaleMinK4(packed, sub, out int sc, out int m);
            float subScale = d * sc;
            if (subScale == 0) continue;
            float subMin = dmin * m;
            for (int i = 32 * sub; i < 32 * sub + 32; i++)
                levels[i] = (byte)Math.Clamp(NearestInt((x[i] + subMin) / subScale), 0, nmax);
        }
    }

    // The inverse of the packing above (ggml's get_scale_min_k4).
    private static void UnpackScaleMinK4(ReadOnlySpan<byte> packed, int sub, out int scale, out int min)
    {
        if (sub < 4)
        {
            scale = packed[sub] & 63;
            min = packed[sub + 4] & 63;
        }
        else
        {
            scale = (packed[sub + 4] & 0x0F) | ((packed[sub - 4] >> 6) << 4);
            min = (packed[sub + 4] >> 4) | ((packed[sub] >> 6) << 4);
        }
    }

    // levels [256] in [0, 3] -> qs [64]: element 128 * half + 32 * plane + l takes bits 2 * plane of qs[32 * half + l].
    private static void PackTwoBitPlanes(ReadOnlySpan<byte> levels, Span<byte> qs)
    {
        for (int half = 0; half < 2; half++)
        {
            int e = 128 * half;
            for (int l = 0; l < 32; l++)
                qs[32 * half + l] = (byte)(levels[e + l] | (levels[e + l + 32] << 2) | (levels[e + l + 64] << 4) | (levels[e + l + 96] << 6));
        }
    }
}
