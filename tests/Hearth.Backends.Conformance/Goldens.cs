using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Backends.Conformance;

/// <summary>The tiny-model golden files (tools/reference/make_tiny_models.py, format "hearth-golden" v1).</summary>
public static class Goldens
{
    public static IEnumerable<(string Variant, string Dtype)> All() =>
        Directory.Exists(RepoPaths.Tiny())
            ? Directory.EnumerateDirectories(RepoPaths.Tiny()).OrderBy(d => d, StringComparer.Ordinal)
                .SelectMany(d => Directory.EnumerateFiles(d, "golden-*.json").OrderBy(f => f, StringComparer.Ordinal)
                    .Select(f => (Path.GetFileName(d), Path.GetFileNameWithoutExtension(f)["golden-".Length..])))
            : [];

    public static Golden Load(string variant, string dtype) =>
        JsonSerializer.Deserialize<Golden>(File.ReadAllText(RepoPaths.Tiny(Path.Combine(variant, $"golden-{dtype}.json"))))
        ?? throw new InvalidOperationException($"empty golden {variant} {dtype}");
}

public sealed record Golden(
    [property: JsonPropertyName("model_files")] Dictionary<string, string> ModelFiles,
    [property: JsonPropertyName("prompt_ids")] int[] PromptIds,
    [property: JsonPropertyName("generated_ids")] int[] GeneratedIds,
    [property: JsonPropertyName("prefill_logits")] float[][] PrefillLogits,
    [property: JsonPropertyName("decode_steps")] GoldenStep[] DecodeSteps);

public sealed record GoldenStep(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("input_id")] int InputId,
    [property: JsonPropertyName("logits")] float[] Logits);
