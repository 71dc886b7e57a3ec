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
