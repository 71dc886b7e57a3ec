namespace Hearth.Backends.Cpu.Tests;

public static class Check
{
    /// <summary>|actual - expected| &lt;= absolute + relative * |expected| element by element, naming the first bad index.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double absolute = 1e-5, double relative = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= absolute + relative * Math.Abs(expected[i])))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {actual[i]:R} (error {error:E3})");
        }
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
