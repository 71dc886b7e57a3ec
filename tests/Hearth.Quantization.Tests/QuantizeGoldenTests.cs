using System.Text;
using Hearth.Core;
using Hearth.Quantization.Quants;

namespace Hearth.Quantization.Tests;

/// <summary>
/// Q8_0 and Q4_0 blocks bit-exact with the numpy reference tools/reference/ggml_quants.py (ggml's
/// quantize_row_q8_0_ref / q4_0_ref), via tests/data/quants/quantize_goldens_v1.bin written by
/// tools/reference/quants/make_quantize_goldens.py.
/// </summary>
public class QuantizeGoldenTests
{
    private sealed record GoldenCase(int Index, TensorType Type, float[] Input, byte[] Expected);

    private static readonly Lazy<IReadOnlyList<GoldenCase>> Cases = new(Load);

    private static List<GoldenCase> Load()
    {
        string path = Path.Combine(RepoPaths.RepoRoot, "tests", "data", "quants", "quantize_goldens_v1.bin");
        using var reader = new BinaryReader(File.OpenRead(path));
        Assert.Equal("HRTHQNTZ", Encoding.ASCII.GetString(reader.ReadBytes(8)));
        Assert.Equal(1u, reader.ReadUInt32());
        reader.ReadUInt32(); // seed
        int count = (int)reader.ReadUInt32();
        var cases = new List<GoldenCase>();
        for (int i = 0; i < count; i++)
        {
            var type = (TensorType)reader.ReadInt32();
            int n = reader.ReadInt32();
            var input = new float[n];
            for (int j = 0; j < n; j++) input[j] = reader.ReadSingle();
            var expected = reader.ReadBytes(reader.ReadInt32());
            cases.Add(new GoldenCase(i, type, input, expected));
        }
        return cases;
    }

    public static TheoryData<int> CaseIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Cases.Value.Count; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Quantize_matches_the_numpy_reference_bit_for_bit(int index)
    {
        var c = Cases.Value[index];
        var actual = new byte[c.Expected.Length];
        Quantize.Row(c.Type, c.Input, actual);
        int info = TensorTypes.Info(c.Type).BlockBytes;
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] != c.Expected[i])
                Assert.Fail($"case {index} ({c.Type}, {c.Input.Length} elements): block {i / info} byte {i % info} is {actual[i]:x2}, reference {c.Expected[i]:x2}");
        }
    }

    [Fact]
    public void Golden_file_covers_both_types()
    {
        Assert.Contains(Cases.Value, c => c.Type == TensorType.Q8_0);
        Assert.Contains(Cases.Value, c => c.Type == TensorType.Q4_0);
    }
}
