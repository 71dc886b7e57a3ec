using Hearth.Runtime.Benchmarking;

namespace Hearth.Runtime.Tests;

public class BenchStatisticsTests
{
    [Fact]
    public void Mean_and_sample_sd_match_the_textbook_example()
    {
        // 2,4,4,4,5,5,7,9: mean 5, squared deviations sum to 32, sample variance 32 / 7.
        var stats = MeanSd.Of([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5, stats.Mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), stats.Sd, 12);
    }

    [Fact]
    public void One_sample_has_zero_sd_and_none_is_nan()
    {
        Assert.Equal(new MeanSd(3.5, 0), MeanSd.Of([3.5]));
        var empty = MeanSd.Of([]);
        Assert.True(double.IsNaN(empty.Mean));
        Assert.True(double.IsNaN(empty.Sd));
    }

    [Fact]
    public void Scaling_scales_mean_and_sd()
    {
        var scaled = new MeanSd(10, 2).Times(-3);
        Assert.Equal(-30, scaled.Mean);
        Assert.Equal(6, scaled.Sd);
    }

    [Fact]
    public void Plus_minus_formatting_rounds_both_figures()
    {
        Assert.Equal("12.35 ± 0.50", BenchFormats.PlusMinus(new MeanSd(12.346, 0.5), 2));
        Assert.Equal("3.0 ± 0.1", BenchFormats.PlusMinus(new MeanSd(2.96, 0.123), 1));
    }
}
