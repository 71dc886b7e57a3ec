using static Hearth.Quantization.Quants.BlockOffsets;

namespace Hearth.Quantization.Quants;

// Legacy 32-element blocks, as ggml's quantize_row_q*_ref. Byte Qs[j] holds element j in its low
// nibble and element j + 16 in its high nibble; 5th bits go to Qh as a little-endian uint32.
public static partial class Quantize
{
    // x [32] -> y [34]: d = amax / 127, q = round-half-away(x / d)
    private static void Q8_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        float amax = 0;
        foreach (float v in x) amax = MathF.Max(amax, MathF.Abs(v));
        float d = amax / 127;
        float id = d != 0 ? 1 / d : 0;
        WriteHalf(y, Q8_0_D, d);
        for (int j = 0; j < 32; j++) y[Q8_0_Qs + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
    }

    // x [32] -> y [18]: d = (signed value of largest magnitude) / -8, q = min(15, trunc(x / d + 8.5))
    private static void Q4_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        float max = SignedMaxByMagnitude(x);
        float d = max / -8;
        float id = d != 0 ? 1 / d : 0;
        WriteHalf(y, Q4_0_D, d);
        for (int j = 0; j < 16; j++)
        {
            int q0 = Math.Min(15, (int)(x[j] * id + 8.5f));
            int q1 = Math.Min(15, (int)(x[j + 16] * id + 8.5f));
            y[Q4_0_Qs + j] = (byte)(q0 | (q1 << 4));
        }
    }

    // x [32] -> y [20]: d = (max - min) / 15, m = min, q = min(15, trunc((x - min) / d + 0.5))
    private static void Q4_1(ReadOnlySpan<float> x, Span<byte> y)
    {
        MinMax(x, out float min, out float max);
        float d = (max - min) / 15;
        float id = d != 0 ? 1 / d : 0;
        WriteHalf(y, Q4_1_D, d);
        WriteHalf(y, Q4_1_M, min);
        for (int j = 0; j < 16; j++)
        {
            int q0 = Math.Min(15, (int)((x[j] - min) * id + 0.5f));
            int q1 = Math.Min(15, (int)((x[j + 16] - min) * id + 0.5f));
            y[Q4_1_Qs + j] = (byte)(q0 | (q1 << 4));
        }
    }

    // x [32] -> y [22]: d = (signed value of largest magnitude) / -16, q = min(31, trunc(x / d + 16.5))
    private static void Q5_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        float max = SignedMaxByMagnitude(x);
        float d = max / -16;
        float id = d != 0 ? 1 / d : 0;
        WriteHalf(y, Q5_0_D, d);
        uint qh = 0;
        for (int j = 0; j < 16; j++)
        {
            int q0 = Math.Min(31, (int)(x[j] * id + 16.5f));
            int q1 = Math.Min(31, (int)(x[j + 16] * id + 16.5f));
            y[Q5_0_Qs + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= (uint)((q0 >> 4) & 1) << j;
            qh |= (uint)((q1 >> 4) & 1) << (j + 16);
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(y.Slice(Q5_0_Qh, 4), qh);
    }

    // x [32] -> y [24]: d = (max - min) / 31, m = min, q = min(31, trunc((x - min) / d + 0.5))
    private static void Q5_1(ReadOnlySpan<float> x, Span<byte> y)
    {
        MinMax(x, out float min, out float max);
        float d = (max - min) / 31;
        float id = d != 0 ? 1 / d : 0;
        WriteHalf(y, Q5_1_D, d);
        WriteHalf(y, Q5_1_M, min);
        uint qh = 0;
        for (int j = 0; j < 16; j++)
        {
            int q0 = Math.Min(31, (int)((x[j] - min) * id + 0.5f));
            int q1 = Math.Min(31, (int)((x[j + 16] - min) * id + 0.5f));
            y[Q5_1_Qs + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= (uint)((q0 >> 4) & 1) << j;
            qh |= (uint)((q1 >> 4) & 1) << (j + 16);
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(y.Slice(Q5_1_Qh, 4), qh);
    }

    // The first element of largest magnitude, with its sign (ggml's strict '<' scan keeps the first).
    private static float SignedMaxByMagnitude(ReadOnlySpan<float> x)
    {
        float amax = 0, max = 0;
        foreach (float v in x)
        {
            if (amax < MathF.Abs(v))
            {
                amax = MathF.Abs(v);
                max = v;
            }
        }
        return max;
    }

    private static void MinMax(ReadOnlySpan<float> x, out float min, out float max)
    {
        min = float.MaxValue;
        max = float.MinValue;
        foreach (float v in x)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
    }
}
