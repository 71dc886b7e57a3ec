using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Models.Tests;

/// <summary>Locates the repository's test data by walking up from the test binary to the folder holding Hearth.slnx.</summary>
internal static class TestData
{
    public static string RepoRoot => RepoPaths.RepoRoot;

    public static string Tiny => RepoPaths.Tiny();

    /// <summary>Every golden file as (variant, dtype).</summary>
    public static IEnumerable<(string Variant, string Dtype)> Goldens() =>
        Directory.Exists(Tiny)
            ? Directory.EnumerateDirectories(Tiny).OrderBy(d => d, StringComparer.Ordinal)
                .SelectMany(d => Directory.EnumerateFiles(d, "golden-*.json").OrderBy(f => f, StringComparer.Ordinal)
                    .Select(f => (Path.GetFileName(d), Path.GetFileNameWithoutExtension(f)["golden-".Length..])))
            : [];

    public static Golden LoadGolden(string variant, string dtype)
    {
        string path = Path.Combine(Tiny, variant, $"golden-{dtype}.json");
        var golden = JsonSerializer.Deserialize<Golden>(File.ReadAllText(path)) ?? throw new InvalidOperationException($"{path}: empty");
        if (golden.Format != "hearth-golden" || golden.Version != 1) throw new InvalidOperationException($"{path}: unexpected golden {golden.Format} v{golden.Version}");
        return golden;
    }
}

/// <summary>The golden file written by tools/reference/make_tiny_models.py (format "hearth-golden", version 1).</summary>
internal sealed record Golden(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("variant")] string Variant,
    [property: JsonPropertyName("dtype")] string Dtype,
    [property: JsonPropertyName("model_files")] Dictionary<string, string> ModelFiles,
    [property: JsonPropertyName("prompt_ids")] int[] PromptIds,
    [property: JsonPropertyName("generated_ids")] int[] GeneratedIds,
    [property: JsonPropertyName("prefill_logits")] float[][] PrefillLogits,
    [property: JsonPropertyName("decode_steps")] GoldenStep[] DecodeSteps,
    [property: JsonPropertyName("text_prompt")] GoldenTextPrompt? TextPrompt);

internal sealed record GoldenStep(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("input_id")] int InputId,
    [property: JsonPropertyName("logits")] float[] Logits);

internal sealed record GoldenTextPrompt(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("ids")] int[] Ids,
    [property: JsonPropertyName("add_special_tokens")] bool AddSpecialTokens);
