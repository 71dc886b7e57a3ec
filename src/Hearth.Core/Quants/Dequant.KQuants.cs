using System.Runtime.InteropServices;

namespace Hearth.Core.Quants;

// K-quant super-blocks of 256 elements, written per element e (0..255) so each bit's meaning reads
// directly. Shared layout of the 2-bit planes (Q2_K Qs, Q3_K Qs): the block is two halves of 128;
// element e = 128 * half + 32 * plane + l takes bits 2*plane..2*plane+1 of Qs[32 * half + l].
// Arithmetic is in float in the same order as ggml's reference (sub-block scale = d * sc first,
// then times q, minus the min), so results are bit-exact with it.
public static unsafe partial class Dequant
{
    // src [84] -> dst [256]: x = (d * sc) * q - (dmin * m), sc/m = nibbles of Scales[e / 16]
    private static void Q2_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ2_K>(src);
        float d = (float)b.D, dmin = (float)b.DMin;
        for (int e = 0; e < QuantBlocks.QK_K; e++)
        {
            int scaleAndMin = b.Scales[e / 16];
            float scale = d * (scaleAndMin & 0x0F);
            float min = dmin * (scaleAndMin >> 4);
            int q = TwoBitPlane(b.Qs, e);
            dst[e] = scale * q - min;
        }
    }

    // src [110] -> dst [256]: x = (d * (sc - 32)) * (q - (hbit ? 0 : 4)), sc 6 bits of sub-block e / 16
    private static void Q3_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ3_K>(src);
        float d = (float)b.D;
        for (int e = 0; e < QuantBlocks.QK_K; e++)
        {
            int sub = e / 16;
            // Low 4 bits: nibbles of bytes 0..7 (sub-blocks 0..7 low nibbles, 8..15 high nibbles);
            // high 2 bits: byte 8 + sub % 4, bit pair sub / 4.
            int low = sub < 8 ? b.Scales[sub] & 0x0F : b.Scales[sub - 8] >> 4;
            int high = (b.Scales[8 + sub % 4] >> (2 * (sub / 4))) & 3;
            float scale = d * ((low | (high << 4)) - 32);
            bool highBit = ((b.HMask[e % 32] >> (e / 32)) & 1) != 0;
            int q = TwoBitPlane(b.Qs, e) - (highBit ? 0 : 4);
            dst[e] = scale * q;
        }
    }

    // src [144] -> dst [256]: x = (d * sc) * q - (dmin * m), sub-block e / 32, q a nibble
    private static void Q4_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ4_K>(src);
        float d = (float)b.D, dmin = (float)b.DMin;
        for (int e = 0; e < QuantBlocks.QK_K; e++)
        {
            ScaleMinK4(b.Scales, e / 32, out int sc, out int m);
            float scale = d * sc;
            float min = dmin * m;
            dst[e] = scale * FourBitPlane(b.Qs, e) - min;
        }
    }

    // src [176] -> dst [256]: as Q4_K with q = nibble + 16 * (bit e / 32 of Qh[e % 32])
    private static void Q5_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ5_K>(src);
        float d = (float)b.D, dmin = (float)b.DMin;
        for (int e = 0; e < QuantBlocks.QK_K; e++)
        {
            ScaleMinK4(b.Scales, e / 32, out int sc, out int m);
            float scale = d * sc;
            float min = dmin * m;
            int q = FourBitPlane(b.Qs, e) + 16 * ((b.Qh[e % 32] >> (e / 32)) & 1);
            dst[e] = scale * q - min;
        }
    }

    // src [210] -> dst [256]: x = (d * Scales[e / 16]) * (q - 32), q 6 bits.
    // The block is two halves of 128; element e = 128 * half + 32 * quarter + l (l < 32) takes
    // its low 4 bits from Ql[64 * half + 32 * (quarter % 2) + l] (low nibble for quarters 0, 1,
    // high nibble for 2, 3) and its high 2 bits from bits 2*quarter.. of Qh[32 * half + l].
    private static void Q6_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ6_K>(src);
        float d = (float)b.D;
        for (int e = 0; e < QuantBlocks.QK_K; e++)
        {
            int half = e / 128, quarter = e % 128 / 32, l = e % 32;
            int lowByte = b.Ql[64 * half + 32 * (quarter % 2) + l];
            int low = quarter < 2 ? lowByte & 0x0F : lowByte >> 4;
            int high = (b.Qh[32 * half + l] >> (2 * quarter)) & 3;
            int q = (low | (high << 4)) - 32;
            dst[e] = d * b.Scales[e / 16] * q;
        }
    }

    // src [292] -> dst [256]: x = d * q
    private static void Q8_K(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ8_K>(src);
        for (int e = 0; e < QuantBlocks.QK_K; e++) dst[e] = b.D * b.Qs[e];
    }

    // Element e of a 256-element 2-bit plane layout (64 bytes); see the file comment.
    private static int TwoBitPlane(byte* qs, int e) => (qs[32 * (e / 128) + e % 32] >> (2 * (e % 128 / 32))) & 3;

    // Element e of Q4_K/Q5_K's nibble layout (128 bytes): each 64 elements own 32 bytes, the
    // first 32 elements in the low nibbles, the next 32 in the high nibbles.
    private static int FourBitPlane(byte* qs, int e)
    {
        int qsByte = qs[32 * (e / 64) + e % 32];
        return e % 64 < 32 ? qsByte & 0x0F : qsByte >> 4;
    }

    // 8 6-bit scales and 8 6-bit mins in 12 bytes (ggml's get_scale_min_k4): sub-blocks 0..3 keep
    // theirs in the low 6 bits of bytes 0..3 (scales) and 4..7 (mins); sub-blocks 4..7 keep the low
    // 4 bits in the nibbles of bytes 8..11 and the top 2 bits in the spare top bits of bytes 0..7.
    private static void ScaleMinK4(byte* scales, int sub, out int scale, out int min)
    {
        if (sub < 4)
        {
            scale = scales[sub] & 63;
            min = scales[sub + 4] & 63;
        }
        else
        {
            scale = (scales[sub + 4] & 0x0F) | ((scales[sub - 4] >> 6) << 4);
            min = (scales[sub + 4] >> 4) | ((scales[sub] >> 6) << 4);
        }
    }
}
