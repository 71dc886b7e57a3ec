using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Core.Tests.Quants;

/// <summary>Dequant.Row and RowDot.Dot against the independent numpy goldens.</summary>
public class DequantGoldenTests
{
    public static TheoryData<string> GoldenTypes() =>
    [
        "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K",
    ];

    private static TensorType Parse(string name) => TensorTypes.TryParse(name, out var t) ? t : throw new ArgumentException(name);

    [Fact]
    public void Golden_file_covers_every_supported_type()
    {
        var golden = QuantGoldens.Shared;
        Assert.Equal("tools/reference/quants/make_quant_goldens.py", golden.Script);
        var covered = golden.Rows.Select(r => r.Type).ToHashSet();
        foreach (var info in TensorTypes.All.Where(i => Dequant.Supports(i.Type)))
            Assert.Contains(info.Type, covered);
    }

    // The numpy reference follows ggml's operation order in float32, so every type, K-quants
    // included, matches bit for bit (NaNs only need to stay NaN: .NET quiets signalling NaNs).
    [Theory]
    [MemberData(nameof(GoldenTypes))]
    public void Row_matches_golden_bit_for_bit(string typeName)
    {
        var row = QuantGoldens.Shared.Row(Parse(typeName));
        var actual = new float[row.Expected.Length];
        Dequant.Row(row.Type, row.Bytes, actual);
        for (int i = 0; i < actual.Length; i++)
        {
            float want = row.Expected[i], got = actual[i];
            bool same = float.IsNaN(want)
                ? float.IsNaN(got)
                : BitConverter.SingleToUInt32Bits(want) == BitConverter.SingleToUInt32Bits(got);
            Assert.True(same, $"{typeName} element {i} (block {i / TensorTypes.Info(row.Type).BlockSize}): expected {want:R}, got {got:R}");
        }
    }

    // Float accumulation over thousands of products: the error bound is relative to the sum of
    // |w * x| (the dot itself can cancel to nearly zero).
    [Theory]
    [MemberData(nameof(GoldenTypes))]
    public void Dot_matches_golden_within_1e_5(string typeName)
    {
        var row = QuantGoldens.Shared.Row(Parse(typeName));
        var info = TensorTypes.Info(row.Type);
        Assert.NotEmpty(row.Dots);
        foreach (var dot in row.Dots)
        {
            // Dots start on a block boundary (F16/BF16/F32 blocks are single elements).
            Assert.Equal(0, dot.First % info.BlockSize);
            var bytes = row.Bytes.AsSpan(dot.First / info.BlockSize * info.BlockBytes, dot.X.Length / info.BlockSize * info.BlockBytes);
            float got = RowDot.Dot(row.Type, bytes, dot.X);
            double tolerance = 1e-5 * dot.SumAbs + 1e-30;
            Assert.True(Math.Abs(got - dot.Expected) <= tolerance,
                $"{typeName} dot over [{dot.First}, {dot.First + dot.X.Length}): expected {dot.Expected:R}, got {got:R}, tolerance {tolerance:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(GoldenTypes))]
    public void Dot_equals_float64_dot_of_dequantized_row(string typeName)
    {
        // Ties RowDot's in-loop dequantization to Row on the whole golden row (many blocks).
        var row = QuantGoldens.Shared.Row(Parse(typeName));
        var dot = row.Dots[0];
        var info = TensorTypes.Info(row.Type);
        var bytes = row.Bytes.AsSpan(dot.First / info.BlockSize * info.BlockBytes, dot.X.Length / info.BlockSize * info.BlockBytes);
        var w = new float[dot.X.Length];
        Dequant.Row(row.Type, bytes, w);
        double expected = 0, sumAbs = 0;
        for (int i = 0; i < w.Length; i++) { expected += (double)w[i] * dot.X[i]; sumAbs += Math.Abs((double)w[i] * dot.X[i]); }
        float got = RowDot.Dot(row.Type, bytes, dot.X);
        Assert.True(Math.Abs(got - expected) <= 1e-5 * sumAbs + 1e-30, $"{typeName}: {got:R} vs {expected:R}");
    }
}
