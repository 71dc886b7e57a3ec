using System.Text.Json;
using Hearth.Runtime.Generation;
using Hearth.Runtime.Serving;
using static Hearth.Runtime.Tests.Serving.EngineTestSupport;

namespace Hearth.Runtime.Tests.Serving;

/// <summary>A fact skipped while the shipped hearth-tiny model is missing.</summary>
public sealed class HearthTinyFactAttribute : FactAttribute
{
    public HearthTinyFactAttribute()
    {
        if (!File.Exists(ShippedModelEngineTests.Golden)) Skip = "models/hearth-tiny/golden-greedy.json is missing";
    }
}

/// <summary>The engine on the shipped trained model: PyTorch's greedy goldens, and the same text and stop reasons as the Generator.</summary>
public class ShippedModelEngineTests
{
    public static string Folder => Path.Combine(RepoPaths.RepoRoot, "models", "hearth-tiny");
    public static string Golden => Path.Combine(Folder, "golden-greedy.json");

    private static (int[] Prompt, int[] Generated)[] Goldens()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Golden));
        return [.. doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => (
            p.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            p.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()))];
    }

    [HearthTinyFact]
    public async Task All_golden_prompts_at_once_reproduce_the_pytorch_greedy_tokens()
    {
        var goldens = Goldens();
        using var model = HearthModel.Load(Folder);
        await using var engine = BatchingEngine.Create(model, new BatchingEngineOptions { KvCacheBytes = 16 << 20, MaxTokensPerStep = 48, BlockSize = 4 });
        Assert.Equal("hearth-tiny", engine.ModelName);
        var results = await Task.WhenAll(goldens.Select(g => Collect(engine.Submit(Greedy(g.Prompt, g.Generated.Length)))));
        for (int i = 0; i < goldens.Length; i++) Assert.Equal(goldens[i].Generated, results[i].Tokens);
        Assert.True(engine.GetMetrics().CachedPromptTokensTotal > 0, "chat prompts share the template's first blocks");
    }

    [HearthTinyFact]
    public async Task Text_stop_strings_and_eos_match_the_generator()
    {
        var goldens = Goldens();
        using var model = HearthModel.Load(Folder);
        var cases = new List<(EngineRequest Request, GenerationResult Expected)>();
        foreach (var (prompt, _) in goldens.Take(3))
        {
            var plain = model.Generate(new GenerationRequest { PromptIds = prompt, MaxNewTokens = 30 });
            // A stop string from the middle of the ignore-EOS text (when it has one).
            var full = model.Generate(new GenerationRequest { PromptIds = prompt, MaxNewTokens = 30, IgnoreEos = true, SkipSpecialTokens = false });
            string stop = full.Text.Length > 12 ? full.Text.Substring(full.Text.Length / 2, 3) : "zzz";
            var stopped = model.Generate(new GenerationRequest { PromptIds = prompt, MaxNewTokens = 30, IgnoreEos = true, SkipSpecialTokens = false, StopStrings = [stop] });
            cases.Add((new EngineRequest { PromptIds = prompt, MaxNewTokens = 30 }, plain));
            cases.Add((new EngineRequest { PromptIds = prompt, MaxNewTokens = 30, IgnoreEos = true, SkipSpecialTokens = false, StopStrings = [stop] }, stopped));
        }
        await using var engine = BatchingEngine.Create(model, new BatchingEngineOptions { KvCacheBytes = 16 << 20 });
        var results = await Task.WhenAll(cases.Select(c => Collect(engine.Submit(c.Request))));
        for (int i = 0; i < cases.Count; i++)
        {
            var expected = cases[i].Expected;
            Assert.Equal(expected.Text, results[i].Text);
            Assert.Equal(expected.GeneratedIds, results[i].Tokens);
            string reason = expected.StopReason switch
            {
                StopReason.Eos or StopReason.StopString => "stop",
                _ => "length",
            };
            Assert.Equal(reason, results[i].Finish.Reason);
            Assert.Equal(expected.StopMessage, results[i].Finish.Message);
        }
        Assert.Contains(cases, c => c.Expected.StopReason == StopReason.StopString);
    }
}
