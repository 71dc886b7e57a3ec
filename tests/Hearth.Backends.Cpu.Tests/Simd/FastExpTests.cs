using System.Runtime.Intrinsics;
using Hearth.Backends.Cpu.Simd.Kernels;

namespace Hearth.Backends.Cpu.Tests.Simd;

/// <summary>The kernels' e^x (softmax, SiLU) against double-precision Math.Exp, and its scalar tail against its vector form.</summary>
public class FastExpTests
{
    // Every 997th float from 0 to the top of the range (~1.1 million), and their negatives down to the bottom.
    private static IEnumerable<float> Sweep()
    {
        for (uint bits = 0; bits < BitConverter.SingleToUInt32Bits(88.7f); bits += 997)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            yield return x;
            if (x <= 86.5f) yield return -x;
        }
    }

    [Fact]
    public void Is_within_one_ulp_of_the_exact_value_over_its_range()
    {
        float worst = 0, at = 0;
        foreach (float x in Sweep())
        {
            double exact = Math.Exp(x);
            float got = FastExp.Exp(x);
            float ulp = MathF.BitIncrement((float)exact) - (float)exact;
            float error = (float)(Math.Abs(got - exact) / ulp);
            if (!(error <= worst)) { worst = error; at = x; }
        }
        Assert.True(worst <= 1f, $"{worst} ulp at x = {at:R} (exact {Math.Exp(at):R}, got {FastExp.Exp(at):R})");
    }

    [Fact]
    public void The_vector_form_gives_the_scalar_bits_in_every_lane()
    {
        var batch = new float[8];
        int filled = 0, checkedLanes = 0;
        foreach (float x in Sweep().Concat([0f, -0f, -86.49f, -86.51f, -1000f, 88.72f, 88.73f, 1000f,
                     float.NegativeInfinity, float.PositiveInfinity, float.NaN, float.Epsilon, -float.Epsilon]))
        {
            batch[filled++] = x;
            if (filled < 8) continue;
            var vector = FastExp.Exp(Vector256.Create(batch));
            for (int lane = 0; lane < 8; lane++, checkedLanes++)
            {
                float scalar = FastExp.Exp(batch[lane]);
                if (BitConverter.SingleToUInt32Bits(scalar) != BitConverter.SingleToUInt32Bits(vector[lane]))
                    Assert.Fail($"x = {batch[lane]:R}: scalar {scalar:R}, vector {vector[lane]:R}");
            }
            filled = 0;
        }
        Assert.True(checkedLanes > 1_000_000);
    }

    [Theory]
    [InlineData(0f, 1f)]
    [InlineData(-86.51f, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(88.73f, float.PositiveInfinity)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    public void Ends_of_the_range(float x, float expected)
    {
        Assert.Equal(expected, FastExp.Exp(x));
        Assert.Equal(expected, FastExp.Exp(Vector256.Create(x))[3]);
    }

    [Fact]
    public void NaN_stays_NaN()
    {
        Assert.True(float.IsNaN(FastExp.Exp(float.NaN)));
        Assert.True(float.IsNaN(FastExp.Exp(Vector256.Create(float.NaN))[0]));
    }
}
