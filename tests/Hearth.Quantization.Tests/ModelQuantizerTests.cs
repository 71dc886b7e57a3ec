using Hearth.Core;
using Hearth.Core.Quants;
using Hearth.Formats.Gguf;
using Hearth.Models;
using Hearth.Quantization.Presets;

namespace Hearth.Quantization.Tests;

/// <summary>Whole-file quantization: output against the Python reference files, per-tensor types, values and metadata.</summary>
public sealed class ModelQuantizerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Q8_0_of_the_tiny_f32_gguf_is_byte_identical_to_the_python_reference_file()
    {
        string output = _temp.File("q8.gguf");
        ModelQuantizer.Run(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"), output, QuantPresets.Get("Q8_0"));
        using var ours = GgufFile.Open(output);
        using var reference = GgufFile.Open(RepoPaths.Tiny("llama3-gqa/model-q8_0.gguf"));
        Assert.Equal(reference.Tensors.Select(t => t.ToString()), ours.Tensors.Select(t => t.ToString()));
        foreach (var t in reference.Tensors) Assert.True(t.Bytes.SequenceEqual(ours.Find(t.Name)!.Bytes), t.Name);
        foreach (var (key, value) in reference.Metadata.Where(kv => kv.Key != "general.name"))
            Assert.True(ours.Metadata.TryGetValue(key, out var v) && v.ToString() == value.ToString() && v.Type == value.Type, key);
    }

    [Fact]
    public void Q4_0_matches_the_python_reference_except_the_output_which_falls_back_from_Q6_K_to_Q8_0()
    {
        string output = _temp.File("q4.gguf");
        var report = ModelQuantizer.Run(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"), output, QuantPresets.Get("Q4_0"));
        using var ours = GgufFile.Open(output);
        using var reference = GgufFile.Open(RepoPaths.Tiny("llama3-gqa/model-q4_0.gguf"));
        foreach (var t in reference.Tensors.Where(t => t.Name != "output.weight"))
            Assert.True(t.Type == ours.Find(t.Name)!.Type && t.Bytes.SequenceEqual(ours.Find(t.Name)!.Bytes), t.Name);
        Assert.Equal(TensorType.Q8_0, ours.Find("output.weight")!.Type);
        var note = Assert.Single(report.Tensors, t => t.FallbackReason is not null);
        Assert.Equal("output.weight", note.Name);
        Assert.Contains("Q6_K", note.FallbackReason);
    }

    public static TheoryData<string> PresetNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in QuantPresets.Names) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Every_preset_writes_a_loadable_file_with_the_chosen_types_and_close_values(string presetName)
    {
        var preset = QuantPresets.Get(presetName);
        string output = _temp.File(presetName + ".gguf");
        var report = ModelQuantizer.Run(SyntheticModel.Path, output, preset);
        using var source = GgufFile.Open(SyntheticModel.Path);
        using var model = Model.Load(output);
        var file = (GgufFile)model.Weights;
        Assert.Equal((long)preset.FileType, file.Metadata["general.file_type"].AsInt64());
        Assert.Equal(source.Tensors.Select(t => (t.Name, t.Shape)), file.Tensors.Select(t => (t.Name, t.Shape)));
        foreach (var t in file.Tensors)
        {
            Assert.Equal(report.Tensors.Single(d => d.Name == t.Name).Type, t.Type);
            if (t.Shape.Rank == 1) Assert.Equal(TensorType.F32, t.Type);
            double rel = RelativeError(source.Find(t.Name)!, t);
            double budget = t.Type switch
            {
                TensorType.F32 => 0,
                TensorType.F16 => 1e-7,
                _ => QuantizeRoundTripTests.Budgets.TryGetValue(t.Type, out var b) ? b.Tails : 1,
            };
            Assert.True(rel <= budget, $"{presetName} {t.Name} {t.Type}: relative error {rel:F5} > {budget}");
        }
        foreach (var (key, value) in source.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)))
            Assert.Equal(Describe(value), Describe(file.Metadata[key]));
    }

    [Fact]
    public void Q4_K_M_gives_Q6_K_to_attn_v_and_ffn_down_in_the_more_bits_layers_and_to_the_output()
    {
        string output = _temp.File("q4km.gguf");
        ModelQuantizer.Run(SyntheticModel.Path, output, QuantPresets.Get("Q4_K_M"));
        using var file = GgufFile.Open(output);
        // 8 layers: use_more_bits holds for 0 (first eighth), 7 (last eighth), 3 and 6 ((i - 1) % 3 == 2).
        int[] more = [0, 3, 6, 7];
        for (int layer = 0; layer < SyntheticModel.Layers; layer++)
        {
            var expected = more.Contains(layer) ? TensorType.Q6_K : TensorType.Q4_K;
            Assert.Equal(expected, file.Find($"blk.{layer}.attn_v.weight")!.Type);
            Assert.Equal(expected, file.Find($"blk.{layer}.ffn_down.weight")!.Type);
            Assert.Equal(TensorType.Q4_K, file.Find($"blk.{layer}.attn_q.weight")!.Type);
        }
        Assert.Equal(TensorType.Q6_K, file.Find("output.weight")!.Type);
        Assert.Equal(TensorType.Q4_K, file.Find("token_embd.weight")!.Type);
        Assert.Equal(TensorType.F32, file.Find("output_norm.weight")!.Type);
    }

    [Fact]
    public void A_quantized_input_is_refused_with_a_message_naming_the_tensor()
    {
        var e = Assert.Throws<HearthException>(() => ModelQuantizer.Run(RepoPaths.Tiny("llama3-gqa/model-q8_0.gguf"), _temp.File("x.gguf"), QuantPresets.Get("Q4_0")));
        Assert.Contains("token_embd.weight", e.Message);
        Assert.Contains("Q8_0", e.Message);
        Assert.False(File.Exists(_temp.File("x.gguf")));
    }

    [Fact]
    public void Progress_reaches_every_tensor_and_the_total()
    {
        var seen = new List<QuantizeProgress>();
        var report = ModelQuantizer.Run(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"), _temp.File("p.gguf"), QuantPresets.Get("F16"), new Inline(seen.Add));
        Assert.Equal(report.Tensors.Count, seen.Count);
        Assert.Equal(seen[^1].TotalBytes, seen[^1].BytesWritten);
        Assert.Equal(report.TensorBytes, seen[^1].TotalBytes);
    }

    private sealed class Inline(Action<QuantizeProgress> action) : IProgress<QuantizeProgress>
    {
        public void Report(QuantizeProgress value) => action(value);
    }

    private static string Describe(GgufValue v) => v.Type == GgufValueType.Array
        ? $"{v.ArrayElementType}[{string.Join("|", v.AsArray().Cast<object>().Select(o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)))}]"
        : $"{v.Type}:{v}";

    private static double RelativeError(HostTensor a, HostTensor b)
    {
        long n = a.Shape.ElementCount;
        var x = new float[n];
        var y = new float[n];
        Dequant.Row(a.Type, a.Bytes, x);
        Dequant.Row(b.Type, b.Bytes, y);
        return QuantizeRoundTripTests.RelativeRmse(x, y);
    }
}
