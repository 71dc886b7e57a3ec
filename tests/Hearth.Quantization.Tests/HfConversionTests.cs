using System.Runtime.InteropServices;
using Hearth.Formats.Gguf;
using Hearth.Models;
using Hearth.Quantization.Presets;

namespace Hearth.Quantization.Tests;

/// <summary>
/// HF folder -> GGUF against tools/reference/make_tiny_models.py's GGUF files (written by an independent
/// Python converter): every tensor byte-identical (q/k permuted to interleaved pairs for llama/mistral,
/// not for qwen2), the same hyper-parameters and tokenizer metadata, and the same tokenization.
/// </summary>
public sealed class HfConversionTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // general.name differs by design; eot_token_id: the Python files name <|im_end|>, Hearth the first of
    // <|eot_id|>/<|im_end|> (both are end-of-turn for the loader); SentencePiece scores are derived from
    // merge ranks here (same order, other values), so tokenization is compared instead.
    private static readonly string[] NotCompared = ["general.name", "general.file_type", "general.alignment", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.scores"];

    [Theory]
    [InlineData("llama3-gqa")]
    [InlineData("llama2-mha")]
    [InlineData("qwen2-bias-tied")]
    [InlineData("mistral-swa")]
    [InlineData("llama-linear-rope")]
    public void Converting_the_hf_folder_gives_the_reference_gguf(string variant)
    {
        string output = _temp.File(variant + ".gguf");
        ModelQuantizer.Run(RepoPaths.Tiny(variant + "/hf"), output, QuantPresets.Get("F32"));
        using var ours = GgufFile.Open(output);
        using var reference = GgufFile.Open(RepoPaths.Tiny(variant + "/model-f32.gguf"));

        Assert.Equal(reference.Tensors.Select(t => t.ToString()).Order(), ours.Tensors.Select(t => t.ToString()).Order());
        foreach (var t in reference.Tensors)
        {
            var mine = ours.Find(t.Name)!;
            if (t.Name == "rope_freqs.weight")
            {
                // Divisors computed in float here and in float64 by the script: equal to float rounding.
                var a = MemoryMarshal.Cast<byte, float>(t.Bytes).ToArray();
                var b = MemoryMarshal.Cast<byte, float>(mine.Bytes).ToArray();
                for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-5f * Math.Abs(a[i]));
                continue;
            }
            Assert.True(t.Bytes.SequenceEqual(mine.Bytes), $"{variant}: tensor {t.Name} differs");
        }
        foreach (var (key, value) in reference.Metadata.Where(kv => !NotCompared.Contains(kv.Key)))
        {
            Assert.True(ours.Metadata.TryGetValue(key, out var v), $"{variant}: missing {key}");
            Assert.Equal(value.Type, v.Type);
            Assert.Equal(Describe(value), Describe(v));
        }
        foreach (var key in ours.Metadata.Keys.Where(k => !NotCompared.Contains(k)))
            Assert.True(reference.Metadata.ContainsKey(key), $"{variant}: extra key {key}");

        using var a1 = Model.Load(RepoPaths.Tiny(variant + "/model-f32.gguf"));
        using var b1 = Model.Load(output);
        const string text = "The quick brown fox jumps over the lazy dog. Numbers like 2024, ünïcödé and <|im_end|> too.";
        Assert.Equal(a1.Tokenizer.Encode(text, true), b1.Tokenizer.Encode(text, true));
        Assert.Equal(a1.ChatTemplateSource, b1.ChatTemplateSource);
    }

    [Fact]
    public void Quantizing_an_hf_bf16_folder_streams_through_the_same_names()
    {
        string output = _temp.File("bf16-q8.gguf");
        var report = ModelQuantizer.Run(RepoPaths.Tiny("llama3-gqa/hf-bf16"), output, QuantPresets.Get("Q8_0"));
        Assert.Contains(report.Tensors, t => t.Name == "blk.1.attn_q.weight" && t.SourceType == Core.TensorType.BF16 && t.Type == Core.TensorType.Q8_0);
        using var model = Model.Load(output);
        Assert.Equal("llama", model.Architecture.Name);
    }

    private static string Describe(GgufValue v) => v.Type == GgufValueType.Array
        ? $"{v.ArrayElementType}[{string.Join("|", v.AsArray().Cast<object>().Select(o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)))}]"
        : $"{v.Type}:{v}";
}
