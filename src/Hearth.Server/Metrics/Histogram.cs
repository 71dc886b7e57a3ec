namespace Hearth.Server.Metrics;

/// <summary>A Prometheus histogram (cumulative buckets, sum, count) safe to observe from many threads.</summary>
internal sealed class Histogram(string name, string help, double[] upperBounds)
{
    private readonly long[] _counts = new long[upperBounds.Length + 1];
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    public string Name { get; } = name;
    public string Help { get; } = help;

    public void Observe(double value)
    {
        int bucket = Array.FindIndex(upperBounds, b => value <= b);
        lock (_lock)
        {
            _counts[bucket < 0 ? upperBounds.Length : bucket]++;
            _sum += value;
            _count++;
        }
    }

    public void WriteTo(PrometheusWriter w)
    {
        long[] counts;
        double sum;
        long count;
        lock (_lock)
        {
            counts = (long[])_counts.Clone();
            sum = _sum;
            count = _count;
        }
        w.Header(Name, Help, "histogram");
        long cumulative = 0;
        for (int i = 0; i < upperBounds.Length; i++)
        {
            cumulative += counts[i];
            w.Sample(Name + "_bucket", cumulative, ("le", PrometheusWriter.Format(upperBounds[i])));
        }
        w.Sample(Name + "_bucket", count, ("le", "+Inf"));
        w.Sample(Name + "_sum", sum);
        w.Sample(Name + "_count", count);
    }
}
