using Hearth.Runtime.Benchmarking;

namespace Hearth.Runtime.Tests;

public class BenchProbeTests
{
    [Fact]
    public void Bandwidth_is_a_positive_finite_number()
    {
        var m = MemoryBandwidth.Measure(threadCount: 2, bufferBytes: 16L << 20, runs: 2);
        Assert.True(double.IsFinite(m.BytesPerSecond) && m.BytesPerSecond > 0, $"bandwidth {m.BytesPerSecond}");
        // A streaming read of 16 MiB cannot beat 10 TB/s on any host.
        Assert.True(m.BytesPerSecond < 1e13, $"bandwidth {m.BytesPerSecond}");
        Assert.Equal(2, m.ThreadCount);
        Assert.InRange(m.BufferBytes, 15L << 20, 16L << 20);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(4099)]
    public void Bandwidth_read_sums_every_element(int length)
    {
        // The four streams and the tail together read each element once (a skipped or doubled quarter changes the sum).
        var data = new long[length];
        for (int i = 0; i < length; i++) data[i] = (long)i * i + 1;
        Assert.Equal(data.Sum(), MemoryBandwidth.Sum(data));
    }

    [Fact]
    public void A_second_probe_keeps_the_better_bandwidth_and_counts_all_runs()
    {
        var slow = new BandwidthMeasurement(30e9, 2, 256L << 20, 10, 32L << 20);
        var fast = slow with { BytesPerSecond = 40e9 };
        var best = slow.Best(fast);
        Assert.Equal(40e9, best.BytesPerSecond);
        Assert.Equal(20, best.Runs);
        Assert.Equal(2, best.Probes);
        Assert.Equal(40e9, fast.Best(slow).BytesPerSecond);
    }

    [Fact]
    public void Peak_flops_is_a_positive_finite_number()
    {
        var m = PeakFlops.Measure(threadCount: 1, secondsPerRun: 0.01, runs: 1);
        Assert.True(double.IsFinite(m.FlopsPerSecond) && m.FlopsPerSecond > 1e6, $"peak {m.FlopsPerSecond}");
        Assert.StartsWith("measured", m.Method, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("32768K", 32L << 20)]
    [InlineData("8M", 8L << 20)]
    [InlineData("1024", 1024L)]
    [InlineData("", null)]
    [InlineData("lots", null)]
    public void Linux_cache_sizes_parse(string text, long? expected) => Assert.Equal(expected, MemoryBandwidth.ParseSize(text));
}
