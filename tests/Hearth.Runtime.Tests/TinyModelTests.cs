using System.Text.Json;
using Hearth.Core;
using Hearth.Runtime.Chat;
using Hearth.Runtime.Generation;
using Microsoft.Extensions.AI;

namespace Hearth.Runtime.Tests;

/// <summary>A fact that is skipped (with the reason) while a tiny test model is missing.</summary>
public sealed class TinyModelFactAttribute : FactAttribute
{
    public TinyModelFactAttribute(string relativePath)
    {
        var path = TinyModels.Path(relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
            Skip = $"tiny test model tests/data/tiny/{relativePath} is missing (regenerate with tools/reference/make_tiny_models.py)";
    }
}

public static class TinyModels
{
    public static string Path(string relative) => RepoPaths.Tiny(relative);
}

/// <summary>The runtime on the real tiny llama3-gqa model (after the model, backend and tokenizer land).</summary>
public class TinyModelTests
{
    private static HearthModel Load(int? context = null) =>
        HearthModel.Load(TinyModels.Path("llama3-gqa/hf"), new HearthModelOptions { ContextLength = context });

    private static int[] GoldenInts(string property)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TinyModels.Path("llama3-gqa/golden-f32.json")));
        return [.. doc.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetInt32())];
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Greedy_generation_reproduces_the_golden_ids_and_rewinding_reproduces_them_again()
    {
        using var model = Load();
        var prompt = GoldenInts("prompt_ids");
        var expected = GoldenInts("generated_ids");
        using var generator = model.CreateGenerator(new GeneratorOptions { IgnoreEos = true, MaxNewTokens = expected.Length });
        generator.AppendTokens(prompt);
        var ids = new List<int>();
        while (!generator.IsDone) ids.Add(generator.GenerateNextToken().Id);
        Assert.Equal(expected, ids);

        generator.RewindTo(prompt.Length + 3);
        var again = new List<int>();
        while (!generator.IsDone) again.Add(generator.GenerateNextToken().Id);
        Assert.Equal(expected[3..], again.Take(expected.Length - 3));
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void A_tiny_context_stops_with_context_full()
    {
        using var model = Load(context: 16);
        var prompt = GoldenInts("prompt_ids");
        var result = model.Generate(new GenerationRequest { PromptIds = prompt, IgnoreEos = true });
        Assert.Equal(StopReason.ContextFull, result.StopReason);
        Assert.Equal(16 - prompt.Length, result.GeneratedIds.Count);
        Assert.Throws<HearthException>(() => model.Generate(new GenerationRequest { PromptIds = [.. prompt, .. prompt] }));
    }

    [TinyModelFact("llama3-gqa/hf")]
    public async Task Chat_client_returns_text_and_usage()
    {
        using var client = new HearthChatClient(Load(), ownsModel: true);
        Assert.False(client.UsesFallbackTemplate);
        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "You are brief."), new ChatMessage(ChatRole.User, "Hello!")],
            new ChatOptions { MaxOutputTokens = 6, Temperature = 0.8f, Seed = 3 });
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 5);
        Assert.InRange(response.Usage.OutputTokenCount ?? 0, 1, 6);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
        Assert.NotNull(response.Text);

        // The prompt begins with the template's own BOS, exactly once.
        var promptIds = client.LastResult!.PromptIds;
        Assert.Equal(client.Model.Tokenizer.BosId, promptIds[0]);
        Assert.NotEqual(client.Model.Tokenizer.BosId, promptIds[1]);
    }

    [TinyModelFact("llama3-gqa/hf")]
    public async Task Chat_client_honours_cancellation()
    {
        using var client = new HearthChatClient(Load(), ownsModel: true);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: cts.Token));
    }
}
