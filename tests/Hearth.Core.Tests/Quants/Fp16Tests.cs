using Hearth.Core.Quants;

namespace Hearth.Core.Tests.Quants;

public class Fp16Tests
{
    private static float FromBits(uint bits) => BitConverter.UInt32BitsToSingle(bits);
    private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);

    [Theory]
    [InlineData((ushort)0x0000, 0f)]
    [InlineData((ushort)0x3C00, 1f)]
    [InlineData((ushort)0xC000, -2f)]
    [InlineData((ushort)0x7BFF, 65504f)]                 // largest finite
    [InlineData((ushort)0x0400, 6.103515625e-05f)]       // smallest normal 2^-14
    [InlineData((ushort)0x0001, 5.9604644775390625e-08f)] // smallest subnormal 2^-24
    [InlineData((ushort)0x03FF, 6.097555160522461e-05f)] // largest subnormal 1023 * 2^-24
    [InlineData((ushort)0x3555, 0.333251953125f)]
    public void HalfToFloat_known_values(ushort bits, float expected) =>
        Assert.Equal(Bits(expected), Bits(Fp16.HalfToFloat(bits)));

    [Fact]
    public void HalfToFloat_specials()
    {
        Assert.Equal(0x8000_0000u, Bits(Fp16.HalfToFloat(0x8000)));
        Assert.Equal(float.PositiveInfinity, Fp16.HalfToFloat(0x7C00));
        Assert.Equal(float.NegativeInfinity, Fp16.HalfToFloat(0xFC00));
        Assert.True(float.IsNaN(Fp16.HalfToFloat(0x7E00)));
        Assert.True(float.IsNaN(Fp16.HalfToFloat(0x7C01)));   // signalling pattern is still NaN
        Assert.True(float.IsNegative(Fp16.HalfToFloat(0xFE00)));
    }

    [Theory]
    [InlineData(1.00048828125f, (ushort)0x3C00)]          // 1 + 2^-11: tie, even -> 1
    [InlineData(1.00146484375f, (ushort)0x3C02)]          // 1 + 3 * 2^-11: tie, odd -> up
    [InlineData(1.00048840f, (ushort)0x3C01)]             // just above the tie -> up
    [InlineData(65519.996f, (ushort)0x7BFF)]              // just below the overflow midpoint
    [InlineData(65520f, (ushort)0x7C00)]                  // midpoint to 2^16 -> infinity
    [InlineData(-1e6f, (ushort)0xFC00)]
    [InlineData(2.9802322387695312e-08f, (ushort)0x0000)] // 2^-25: tie between 0 and 2^-24 -> 0
    [InlineData(4.4703483581542969e-08f, (ushort)0x0001)] // 1.5 * 2^-25 rounds up to 2^-24
    [InlineData(8.940696716308594e-08f, (ushort)0x0002)]  // 1.5 * 2^-24: tie, odd -> 2 * 2^-24
    public void FloatToHalf_rounds_to_nearest_even(float value, ushort expected) =>
        Assert.Equal(expected, Fp16.FloatToHalf(value));

    [Fact]
    public void FloatToHalf_keeps_nan_and_infinity()
    {
        Assert.True(float.IsNaN(Fp16.HalfToFloat(Fp16.FloatToHalf(float.NaN))));
        Assert.Equal((ushort)0x7C00, Fp16.FloatToHalf(float.PositiveInfinity));
        Assert.Equal((ushort)0xFC00, Fp16.FloatToHalf(float.NegativeInfinity));
        Assert.Equal((ushort)0x8000, Fp16.FloatToHalf(-0f));
    }

    [Fact]
    public void Every_half_round_trips()
    {
        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            float f = Fp16.HalfToFloat((ushort)bits);
            if (float.IsNaN(f)) { Assert.True(float.IsNaN(Fp16.HalfToFloat(Fp16.FloatToHalf(f)))); continue; }
            Assert.Equal((ushort)bits, Fp16.FloatToHalf(f));
        }
    }

    [Theory]
    [InlineData(0x3F80_0000u, (ushort)0x3F80)]
    [InlineData(0x3F80_8000u, (ushort)0x3F80)]  // tie, even -> down
    [InlineData(0x3F81_8000u, (ushort)0x3F82)]  // tie, odd -> up
    [InlineData(0x3F80_8001u, (ushort)0x3F81)]  // above the tie -> up
    [InlineData(0x3F80_7FFFu, (ushort)0x3F80)]  // below the tie -> down
    [InlineData(0xBF81_8000u, (ushort)0xBF82)]  // negative tie, odd -> away from zero
    [InlineData(0x3FFF_8000u, (ushort)0x4000)]  // carry into the exponent
    [InlineData(0x7F7F_FFFFu, (ushort)0x7F80)]  // largest float -> infinity
    [InlineData(0x7F7F_8000u, (ushort)0x7F80)]  // tie at the top, odd -> infinity
    [InlineData(0x7F7E_8000u, (ushort)0x7F7E)]  // tie at the top, even -> stays finite
    [InlineData(0x0000_8000u, (ushort)0x0000)]  // subnormal tie -> 0
    [InlineData(0x0001_8000u, (ushort)0x0002)]  // subnormal tie, odd -> up
    [InlineData(0x8000_0000u, (ushort)0x8000)]  // -0
    [InlineData(0x7F80_0000u, (ushort)0x7F80)]  // +inf
    [InlineData(0xFF80_0000u, (ushort)0xFF80)]  // -inf
    public void FloatToBF16_rounds_to_nearest_even(uint floatBits, ushort expected) =>
        Assert.Equal(expected, Fp16.FloatToBF16(FromBits(floatBits)));

    [Theory]
    [InlineData(0x7F80_0001u)]   // payload only in the low 16 bits: truncation would give infinity
    [InlineData(0xFF80_0001u)]
    [InlineData(0x7FC0_0000u)]
    [InlineData(0xFFFF_FFFFu)]
    public void FloatToBF16_keeps_nan_and_its_sign(uint floatBits)
    {
        ushort bf = Fp16.FloatToBF16(FromBits(floatBits));
        float back = Fp16.BF16ToFloat(bf);
        Assert.True(float.IsNaN(back));
        Assert.Equal((floatBits >> 31) != 0, float.IsNegative(back));
    }

    [Fact]
    public void BF16ToFloat_is_the_high_half()
    {
        Assert.Equal(1f, Fp16.BF16ToFloat(0x3F80));
        Assert.Equal(3.140625f, Fp16.BF16ToFloat(0x4049));
        Assert.Equal(float.NegativeInfinity, Fp16.BF16ToFloat(0xFF80));
        Assert.Equal(0x0001_0000u, Bits(Fp16.BF16ToFloat(0x0001)));   // smallest bf16 subnormal
    }

    [Fact]
    public void Every_bf16_round_trips()
    {
        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            float f = Fp16.BF16ToFloat((ushort)bits);
            if (float.IsNaN(f)) Assert.True(float.IsNaN(Fp16.BF16ToFloat(Fp16.FloatToBF16(f))));
            else Assert.Equal((ushort)bits, Fp16.FloatToBF16(f));
        }
    }

    // numpy's float32 -> float16 and an independent nearest-neighbour bf16 rounding, over specials,
    // exact ties and random values.
    [Fact]
    public void Conversions_match_numpy_goldens()
    {
        var golden = QuantGoldens.Shared;
        Assert.True(golden.ConversionInputs.Length > 300);
        for (int i = 0; i < golden.ConversionInputs.Length; i++)
        {
            float x = golden.ConversionInputs[i];
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(Fp16.HalfToFloat(Fp16.FloatToHalf(x))));
                Assert.True(float.IsNaN(Fp16.BF16ToFloat(Fp16.FloatToBF16(x))));
                Assert.Equal(golden.ExpectedBF16Bits[i] >> 15, Fp16.FloatToBF16(x) >> 15);
                continue;
            }
            Assert.True(golden.ExpectedHalfBits[i] == Fp16.FloatToHalf(x), $"f16 of {x:R} (0x{Bits(x):X8}): expected 0x{golden.ExpectedHalfBits[i]:X4}, got 0x{Fp16.FloatToHalf(x):X4}");
            Assert.True(golden.ExpectedBF16Bits[i] == Fp16.FloatToBF16(x), $"bf16 of {x:R} (0x{Bits(x):X8}): expected 0x{golden.ExpectedBF16Bits[i]:X4}, got 0x{Fp16.FloatToBF16(x):X4}");
        }
    }
}
