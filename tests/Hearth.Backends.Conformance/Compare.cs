namespace Hearth.Backends.Conformance;

/// <summary>Error measures against the oracle's output.</summary>
public static class Compare
{
    /// <summary>Normalised mean squared error: sum((a - e)^2) / sum(e^2).</summary>
    public static double Nmse(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double error = 0, energy = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]), $"NaN at {i}");
            double d = (double)actual[i] - expected[i];
            error += d * d;
            energy += (double)expected[i] * expected[i];
        }
        return energy == 0 ? error : error / energy;
    }

    /// <summary>Asserts |a - e| &lt;= relative * max(|e|, 1) element-wise.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double limit = relative * Math.Max(Math.Abs(expected[i]), 1.0);
            Assert.True(Math.Abs((double)actual[i] - expected[i]) <= limit, $"{what}: element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
