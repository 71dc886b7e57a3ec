namespace Hearth.Models.Tests;

/// <summary>
/// Expected values were computed outside this code base, in float64 Python from the formulas of
/// HF transformers' _compute_default_rope_parameters / _compute_linear_scaling_rope_parameters /
/// _compute_llama3_parameters (headDim 16, theta 500000, llama3: factor 8, low 1, high 4, original 8192).
/// </summary>
public class RopeFrequencyTests
{
    private static readonly double[] Default16 =
        [1.000000000e+00, 1.939227447e-01, 3.760603093e-02, 7.292664737e-03, 1.414213562e-03, 2.742481757e-04, 5.318295897e-05, 1.031338538e-05];

    // Indices 0-3 are high-frequency (kept), 4 falls in the smooth band, 5-7 are low-frequency (divided by 8).
    private static readonly double[] Llama3Scaled16 =
        [1.000000000e+00, 1.939227447e-01, 3.760603093e-02, 7.292664737e-03, 5.248461610e-04, 3.428102196e-05, 6.647869871e-06, 1.289173172e-06];

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * expected[i], $"[{i}] expected {expected[i]:e9}, got {actual[i]:e9}");
    }

    [Fact]
    public void Default_frequencies_match_reference() =>
        AssertClose(Default16, RopeFrequencies.Compute(16, 500000, null));

    [Fact]
    public void Llama3_scaling_matches_reference() =>
        AssertClose(Llama3Scaled16, RopeFrequencies.Compute(16, 500000, new RopeScaling(RopeScalingType.Llama3, 8, 1, 4, 8192)));

    [Fact]
    public void Linear_scaling_divides_by_factor() =>
        AssertClose([2.5e-01, 2.5e-02, 2.5e-03, 2.5e-04], RopeFrequencies.Compute(8, 10000, new RopeScaling(RopeScalingType.Linear, 4)));

    [Fact]
    public void Gguf_rope_freqs_factors_divide_each_frequency()
    {
        // llama.cpp's converter stores rope_freqs = base / scaled, so dividing by it reproduces the llama3 numbers.
        float[] factors = [.. Default16.Zip(Llama3Scaled16, (b, s) => (float)(b / s))];
        AssertClose(Llama3Scaled16, RopeFrequencies.Compute(16, 500000, null, factors));
    }

    [Fact]
    public void Odd_head_dim_is_rejected() =>
        Assert.Throws<Core.HearthException>(() => RopeFrequencies.Compute(15, 10000, null));
}
