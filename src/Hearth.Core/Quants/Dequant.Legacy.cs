using System.Runtime.InteropServices;

namespace Hearth.Core.Quants;

// Legacy 32-element blocks. In every 4- and 5-bit format, byte Qs[j] holds element j in its low
// nibble and element j + 16 in its high nibble. Arithmetic is done in float in the same order as
// ggml's reference (int quant converted to float, times d, plus m), so results are bit-exact.
public static unsafe partial class Dequant
{
    // src [18] -> dst [32]: x = (q - 8) * d
    private static void Q4_0(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ4_0>(src);
        float d = (float)b.D;
        for (int j = 0; j < 16; j++)
        {
            dst[j] = ((b.Qs[j] & 0x0F) - 8) * d;
            dst[j + 16] = ((b.Qs[j] >> 4) - 8) * d;
        }
    }

    // src [20] -> dst [32]: x = q * d + m
    private static void Q4_1(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ4_1>(src);
        float d = (float)b.D, m = (float)b.M;
        for (int j = 0; j < 16; j++)
        {
            dst[j] = (b.Qs[j] & 0x0F) * d + m;
            dst[j + 16] = (b.Qs[j] >> 4) * d + m;
        }
    }

    // src [22] -> dst [32]: x = (q - 16) * d, q = nibble | (bit j of qh) << 4, bit j + 16 for the high nibble
    private static void Q5_0(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ5_0>(src);
        float d = (float)b.D;
        uint qh = FifthBits(b.Qh);
        for (int j = 0; j < 16; j++)
        {
            int lo = (b.Qs[j] & 0x0F) | (int)(((qh >> j) & 1) << 4);
            int hi = (b.Qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            dst[j] = (lo - 16) * d;
            dst[j + 16] = (hi - 16) * d;
        }
    }

    // src [24] -> dst [32]: x = q * d + m, q as in Q5_0 but unsigned
    private static void Q5_1(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ5_1>(src);
        float d = (float)b.D, m = (float)b.M;
        uint qh = FifthBits(b.Qh);
        for (int j = 0; j < 16; j++)
        {
            int lo = (b.Qs[j] & 0x0F) | (int)(((qh >> j) & 1) << 4);
            int hi = (b.Qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            dst[j] = lo * d + m;
            dst[j + 16] = hi * d + m;
        }
    }

    // src [34] -> dst [32]: x = q * d
    private static void Q8_0(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ8_0>(src);
        float d = (float)b.D;
        for (int j = 0; j < 32; j++) dst[j] = b.Qs[j] * d;
    }

    // src [36] -> dst [32]: x = q * d (S is a cached sum, unused here)
    private static void Q8_1(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var b = MemoryMarshal.Read<BlockQ8_1>(src);
        float d = (float)b.D;
        for (int j = 0; j < 32; j++) dst[j] = b.Qs[j] * d;
    }

    // The 4 qh bytes are a little-endian uint32 regardless of the host byte order.
    private static uint FifthBits(byte* qh) => qh[0] | ((uint)qh[1] << 8) | ((uint)qh[2] << 16) | ((uint)qh[3] << 24);
}
