using System.Text.Json;
using Hearth.Testing;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Models.Tests;

/// <summary>
/// models/hearth-tiny, the trained model that ships with Hearth: 64 greedy tokens decoded by Hearth equal the
/// PyTorch reference's tokens (models/hearth-tiny/golden-greedy.json, written by tools/tinymodel/train.py export
/// with tools/reference/llama_ref.py), for the HF folder and the GGUF file, and both copies give the same logits.
/// </summary>
public class ShippedModelTests
{
    private const float Tolerance = 1e-4f;

    private static string Folder => Path.Combine(RepoPaths.RepoRoot, "models", "hearth-tiny");

    private static string PathOf(string kind) => kind == "gguf" ? Path.Combine(Folder, "model.gguf") : Folder;

    private sealed record GoldenPrompt(string Kind, string Text, int[] PromptIds, int[] GeneratedIds);

    private static List<GoldenPrompt> Goldens()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "golden-greedy.json")));
        return [.. doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => new GoldenPrompt(
            p.GetProperty("kind").GetString()!, p.GetProperty("text").GetString()!,
            [.. p.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())],
            [.. p.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32())]))];
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        int count = File.Exists(Path.Combine(Folder, "golden-greedy.json")) ? Goldens().Count : 0;
        foreach (var kind in new[] { "hf", "gguf" })
            for (int i = 0; i < count; i++) data.Add(kind, i);
        return data;
    }

    [Fact]
    public void Shipped_model_and_golden_are_present()
    {
        Assert.True(File.Exists(Path.Combine(Folder, "config.json")), "models/hearth-tiny/config.json is missing");
        Assert.True(File.Exists(Path.Combine(Folder, "model.gguf")), "models/hearth-tiny/model.gguf is missing");
        Assert.True(Goldens().Count >= 5, "expected at least 5 golden prompts; run tools/tinymodel/train.py export");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Prompt_encodes_as_the_reference_encoded_it(string kind, int index)
    {
        var golden = Goldens()[index];
        using var model = Model.Load(PathOf(kind));
        var tokenizer = model.Tokenizer;
        int[] ids;
        if (golden.Kind == "chat")
        {
            var bos = tokenizer.TokenString(tokenizer.BosId!.Value);
            var text = model.ChatTemplate!.Render([new ChatTurn("user", golden.Text)], addGenerationPrompt: true, bos, "<|im_end|>");
            ids = tokenizer.Encode(text, addSpecialTokens: false);
        }
        else
        {
            ids = tokenizer.Encode(golden.Text, addSpecialTokens: true);
        }
        Assert.Equal(golden.PromptIds, ids);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_tokens_equal_reference(string kind, int index)
    {
        var golden = Goldens()[index];
        using var model = Model.Load(PathOf(kind));
        int vocab = model.Config.VocabSize;
        using var runner = new ModelRunner(model);
        var logits = runner.Prefill(golden.PromptIds, 0, allLogits: false);
        var generated = new List<int> { ModelRunner.ArgMax(logits.AsSpan(logits.Length - vocab, vocab)) };
        int position = golden.PromptIds.Length;
        while (generated.Count < golden.GeneratedIds.Length)
            generated.Add(ModelRunner.ArgMax(runner.Decode(generated[^1], position++)));
        Assert.Equal(golden.GeneratedIds, generated);
    }

    [Fact]
    public void Hf_and_gguf_copies_give_the_same_logits()
    {
        var golden = Goldens()[0];
        int[] tokens = [.. golden.PromptIds, .. golden.GeneratedIds];
        float[] AllLogits(string kind)
        {
            using var model = Model.Load(PathOf(kind));
            using var runner = new ModelRunner(model);
            return runner.Prefill(tokens, 0, allLogits: true);
        }
        var hf = AllLogits("hf");
        var gguf = AllLogits("gguf");
        Assert.Equal(hf.Length, gguf.Length);
        float worst = 0;
        for (int i = 0; i < hf.Length; i++) worst = Math.Max(worst, Math.Abs(hf[i] - gguf[i]));
        Assert.True(worst <= Tolerance, $"HF and GGUF logits differ by {worst} (> {Tolerance})");
    }
}
