namespace Hearth.Core.Quants;

/// <summary>
/// Conversions between f32 and the 16-bit float storage formats, on raw bit patterns as stored in files.
/// f16 is IEEE binary16 (System.Half); bf16 is the top 16 bits of an f32.
/// </summary>
public static class Fp16
{
    /// <summary>f16 bits -> f32 (exact: every f16 value, subnormals included, is an f32).</summary>
    public static float HalfToFloat(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>f32 -> f16 bits, round to nearest even; overflow becomes infinity, NaN stays NaN.</summary>
    public static ushort FloatToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>bf16 bits -> f32 (exact: the bf16 bits become the high half of the f32).</summary>
    public static float BF16ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>f32 -> bf16 bits, round to nearest even; overflow becomes infinity, NaN stays NaN (sign kept, made quiet).</summary>
    public static ushort FloatToBF16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Plain truncation could drop every payload bit and turn the NaN into an infinity;
            // setting the quiet bit keeps it a NaN.
            return (ushort)((bits >> 16) | 0x0040);
        }
        // Add just under half an ulp of the result, plus one when the kept lsb is odd: ties go to even.
        // A carry out of the mantissa correctly bumps the exponent (up to infinity for the largest values).
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }
}
