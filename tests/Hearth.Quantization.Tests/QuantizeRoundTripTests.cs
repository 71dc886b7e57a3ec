using Hearth.Core;
using Hearth.Core.Quants;
using Hearth.Quantization.Quants;
using Xunit.Abstractions;

namespace Hearth.Quantization.Tests;

/// <summary>
/// Dequant(Quantize(x)) against x for every target type: relative RMSE (RMSE / RMS of x) within a
/// per-type budget on realistic weight distributions; zero blocks stay exactly zero, constant blocks
/// come back close, and the fitted formats beat a naive quantizer of the same format.
/// </summary>
public class QuantizeRoundTripTests(ITestOutputHelper output)
{
    // Relative RMSE budgets per type: (Gaussian weights, the worst of heavy-tailed / outliers / zero+constant
    // blocks), about 15% above what this implementation measures, so a regression in a scale search fails.
    public static readonly Dictionary<TensorType, (double Gaussian, double Tails)> Budgets = new()
    {
        [TensorType.F16] = (0.0003, 0.0003),
        [TensorType.BF16] = (0.002, 0.0027),
        [TensorType.Q8_0] = (0.0062, 0.0135),
        [TensorType.Q6_K] = (0.021, 0.038),
        [TensorType.Q5_1] = (0.044, 0.060),
        [TensorType.Q5_0] = (0.050, 0.090),
        [TensorType.Q5_K] = (0.042, 0.056),
        [TensorType.Q4_1] = (0.091, 0.135),
        [TensorType.Q4_0] = (0.100, 0.148),
        [TensorType.Q4_K] = (0.083, 0.108),
        [TensorType.Q3_K] = (0.172, 0.224),
        [TensorType.Q2_K] = (0.343, 0.420),
    };

    public static TheoryData<TensorType, string> Cases()
    {
        var data = new TheoryData<TensorType, string>();
        foreach (var type in Budgets.Keys)
            foreach (var dist in WeightDistributions.Names) data.Add(type, dist);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Round_trip_error_is_within_budget(TensorType type, string distribution)
    {
        const int rows = 8, rowLength = 2048;
        var x = WeightDistributions.Make(distribution, rows * rowLength, seed: 17 + (int)type);
        var back = RoundTrip(type, x, rowLength);
        double rel = RelativeRmse(x, back);
        var (gaussian, tails) = Budgets[type];
        double budget = distribution == "gaussian" ? gaussian : tails;
        output.WriteLine($"{TensorTypes.Info(type).Name} {distribution}: relative RMSE {rel:F5} (budget {budget})");
        Assert.True(rel <= budget, $"{TensorTypes.Info(type).Name} on {distribution}: relative RMSE {rel:F5} exceeds {budget}");
        foreach (float v in back) Assert.True(float.IsFinite(v));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Zero_blocks_come_back_as_exact_zeros(TensorType type)
    {
        var x = new float[512];
        var back = RoundTrip(type, x, 512);
        Assert.All(back, v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Constant_blocks_come_back_close(TensorType type)
    {
        // Magnitudes of real weights; far smaller constants push the K-quants' f16 super-block scales
        // (d = scale / 63 or / 128) into f16 subnormals, a property of the format that ggml shares.
        foreach (float c in new[] { 0.0375f, -1.25f, 0.5f })
        {
            var x = Enumerable.Repeat(c, 512).ToArray();
            var back = RoundTrip(type, x, 512);
            // Affine 2-bit Q2_K represents a constant through a 4-bit min: allow a coarser step there.
            double tolerance = type == TensorType.Q2_K ? 0.07 : type == TensorType.BF16 ? 0.004 : 0.012;
            Assert.All(back, v => Assert.True(Math.Abs(v - c) <= tolerance * Math.Abs(c), $"{type}: {c} came back as {v}"));
        }
    }

    [Theory]
    [InlineData(TensorType.Q4_K, TensorType.Q4_0)]
    [InlineData(TensorType.Q5_K, TensorType.Q5_0)]
    [InlineData(TensorType.Q6_K, TensorType.Q5_1)]
    [InlineData(TensorType.Q5_K, TensorType.Q4_K)]
    [InlineData(TensorType.Q4_K, TensorType.Q3_K)]
    [InlineData(TensorType.Q3_K, TensorType.Q2_K)]
    public void Higher_precision_types_have_lower_error(TensorType better, TensorType worse)
    {
        var x = WeightDistributions.Make("gaussian", 16 * 2048, seed: 5);
        double a = RelativeRmse(x, RoundTrip(better, x, 2048)), b = RelativeRmse(x, RoundTrip(worse, x, 2048));
        Assert.True(a < b, $"{better} {a:F5} should beat {worse} {b:F5}");
    }

    [Fact]
    public void Scale_search_beats_the_plain_min_max_grid_for_Q4_K()
    {
        // Q4_1 is the plain min/max affine grid at the same level count; Q4_K's searched scales and mins must do better.
        var x = WeightDistributions.Make("heavy-tailed", 16 * 2048, seed: 9);
        Assert.True(RelativeRmse(x, RoundTrip(TensorType.Q4_K, x, 2048)) < RelativeRmse(x, RoundTrip(TensorType.Q4_1, x, 2048)));
    }

    [Fact]
    public void Row_rejects_wrong_lengths()
    {
        Assert.Throws<ArgumentException>(() => Quantize.Row(TensorType.Q4_K, new float[100], new byte[144]));
        Assert.Throws<ArgumentException>(() => Quantize.Row(TensorType.Q8_0, new float[32], new byte[33]));
        Assert.Throws<HearthException>(() => Quantize.Row(TensorType.Q8_K, new float[256], new byte[292]));
    }

    public static TheoryData<TensorType> Types()
    {
        var data = new TheoryData<TensorType>();
        foreach (var type in Budgets.Keys) data.Add(type);
        return data;
    }

    internal static float[] RoundTrip(TensorType type, float[] x, int rowLength)
    {
        long rowBytes = TensorTypes.RowBytes(type, rowLength);
        var q = new byte[rowBytes];
        var back = new float[x.Length];
        for (int r = 0; r < x.Length / rowLength; r++)
        {
            Quantize.Row(type, x.AsSpan(r * rowLength, rowLength), q);
            Dequant.Row(type, q, back.AsSpan(r * rowLength, rowLength));
        }
        return back;
    }

    internal static double RelativeRmse(float[] x, float[] y)
    {
        double err = 0, norm = 0;
        for (int i = 0; i < x.Length; i++)
        {
            err += (double)(x[i] - y[i]) * (x[i] - y[i]);
            norm += (double)x[i] * x[i];
        }
        return norm == 0 ? Math.Sqrt(err / x.Length) : Math.Sqrt(err / norm);
    }
}
