using System.Security.Cryptography;
using System.Text.Json;
using Hearth.Core;
using Hearth.Formats.Gguf;
using Hearth.Quantization.Presets;

namespace Hearth.Quantization.Tests;

/// <summary>
/// `hearth quantize` against llama.cpp's own llama-quantize: for every preset, the same storage type for
/// every tensor (the _M mixes, the output rule, grouped-query exceptions) and byte-identical tensor data
/// (the K-quant scale searches included). Goldens: tests/data/ggml-quantize/goldens.json, written by
/// tools/reference/ggml-quantize/make_goldens.py from llama.cpp's binary.
/// </summary>
public sealed class GgmlQuantizeGoldenTests : IDisposable
{
    private static readonly string Folder = Path.Combine(RepoPaths.RepoRoot, "tests", "data", "ggml-quantize");
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static List<(string Model, string Preset)> GoldenCases()
    {
        using var goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "goldens.json")));
        return goldens.RootElement.GetProperty("models").EnumerateObject()
            .SelectMany(m => m.Value.EnumerateObject().Select(p => (m.Name, p.Name))).ToList();
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (model, preset) in GoldenCases()) data.Add(model, preset);
        return data;
    }

    [Fact]
    public void Every_hearth_preset_has_a_llama_cpp_golden_for_both_models()
    {
        foreach (var model in GoldenCases().GroupBy(c => c.Model))
            Assert.Equal(QuantPresets.Names.Order(StringComparer.Ordinal), model.Select(c => c.Preset).Order(StringComparer.Ordinal));
        Assert.Equal(2, GoldenCases().Select(c => c.Model).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Quantized_tensors_have_llama_cpp_types_and_bytes(string model, string presetName)
    {
        using var goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "goldens.json")));
        var expected = goldens.RootElement.GetProperty("models").GetProperty(model).GetProperty(presetName);
        string output = _temp.File(presetName + ".gguf");
        ModelQuantizer.Run(Path.Combine(Folder, model), output, QuantPresets.Get(presetName));

        using var ours = GgufFile.Open(output);
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
            ours.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        var problems = new List<string>();
        foreach (var golden in expected.EnumerateObject())
        {
            var tensor = ours.Find(golden.Name)!;
            string type = TensorTypes.Info(tensor.Type).Name;
            string wantType = golden.Value.GetProperty("type").GetString()!;
            // The one deliberate difference: llama.cpp's IQ4_NL fallback for Q2_K / Q3_K rows is Q4_0 in Hearth.
            if (wantType == "IQ4_NL" && type == "Q4_0") continue;
            if (type != wantType) { problems.Add($"{golden.Name}: {type}, llama.cpp {wantType}"); continue; }
            string hash = Convert.ToHexStringLower(SHA256.HashData(tensor.Bytes));
            if (hash != golden.Value.GetProperty("sha256").GetString())
                problems.Add($"{golden.Name} ({type}): bytes differ from llama.cpp's");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
