namespace Hearth.Runtime.Benchmarking;

/// <summary>A mean with its sample standard deviation (n - 1 in the denominator, as llama-bench reports).</summary>
public readonly record struct MeanSd(double Mean, double Sd)
{
    /// <summary>Mean and sample standard deviation of <paramref name="samples"/>; sd is 0 for a single sample.</summary>
    public static MeanSd Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return new MeanSd(double.NaN, double.NaN);
        double sum = 0;
        foreach (var s in samples) sum += s;
        double mean = sum / samples.Count;
        if (samples.Count == 1) return new MeanSd(mean, 0);
        double squares = 0;
        foreach (var s in samples) squares += (s - mean) * (s - mean);
        return new MeanSd(mean, Math.Sqrt(squares / (samples.Count - 1)));
    }

    /// <summary>The same figure scaled (e.g. tokens/s to GB/s): the sd scales with it.</summary>
    public MeanSd Times(double factor) => new(Mean * factor, Sd * Math.Abs(factor));
}
