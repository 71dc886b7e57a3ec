using Hearth.Core;
using Hearth.Runtime.Chat;
using Hearth.Runtime.Generation;
using Hearth.Runtime.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace Hearth.Runtime.Tests;

public class HearthModelTests
{
    private static HearthModel Create(string recite, int promptLength, bool cycle = false) =>
        new(new ScriptedModel(), ScriptedDevice.Reciting(recite, promptLength, cycle), chatTemplate: null, "scripted");

    [Fact]
    public void Generate_streams_chunks_and_returns_ids_text_and_top_logits()
    {
        using var model = Create("hi there", 3);
        var chunks = new List<GenerationChunk>();
        var result = model.Generate(new GenerationRequest { Prompt = "ab", MaxNewTokens = 4, TopLogits = 2 }, chunks.Add);
        Assert.Equal([CharTokenizer.Bos, CharTokenizer.Id('a'), CharTokenizer.Id('b')], result.PromptIds);
        Assert.Equal("hi t", result.Text);
        Assert.Equal("hi t", string.Concat(chunks.Select(c => c.Text)));
        Assert.Equal(result.GeneratedIds, chunks.Select(c => c.TokenId));
        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal(4, result.TopLogits!.Count);
        Assert.Equal(CharTokenizer.Id('h'), result.TopLogits[0][0].Id);
        Assert.Equal(5f, result.TopLogits[0][0].Logit);
        Assert.Equal(0, result.TopLogits[0][1].Id); // all others tie at -1: lowest id first
    }

    [Fact]
    public void Prompt_ids_are_used_exactly_as_given()
    {
        using var model = Create("x", 2);
        var result = model.Generate(new GenerationRequest { PromptIds = [5, 6], MaxNewTokens = 1 });
        Assert.Equal([5, 6], result.PromptIds);
        Assert.Equal("x", result.Text);
    }

    [Fact]
    public void Both_or_neither_prompt_kinds_are_user_errors()
    {
        using var model = Create("x", 2);
        Assert.Throws<HearthException>(() => model.Generate(new GenerationRequest { Prompt = "a", PromptIds = [1] }));
        Assert.Throws<HearthException>(() => model.Generate(new GenerationRequest()));
    }

    [Fact]
    public async Task GenerateAsync_streams_and_ends_with_the_result()
    {
        using var model = Create("abc", 2);
        var texts = new List<string>();
        GenerationResult? result = null;
        await foreach (var chunk in model.GenerateAsync(new GenerationRequest { PromptIds = [0, 4] }))
        {
            if (chunk.Result is not null) result = chunk.Result;
            else texts.Add(chunk.Text);
        }
        Assert.NotNull(result);
        Assert.Equal("abc", string.Concat(texts));
        Assert.Equal(StopReason.Eos, result.StopReason);
    }

    [Fact]
    public async Task GenerateAsync_honours_cancellation()
    {
        using var model = Create("abcdefgh", 2, cycle: true);
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in model.GenerateAsync(new GenerationRequest { PromptIds = [0, 4] }, cts.Token))
            {
                if (++seen == 3) await cts.CancelAsync();
            }
        });
        // The model is free again afterwards.
        var result = model.Generate(new GenerationRequest { PromptIds = [0, 4], MaxNewTokens = 2 });
        Assert.Equal("ab", result.Text);
    }

    [Fact]
    public void Top_of_returns_the_largest_logits_first()
    {
        var top = HearthModel.TopOf([1f, 9f, 3f, 9f, -2f], 3);
        Assert.Equal([new TokenLogit(1, 9f), new TokenLogit(3, 9f), new TokenLogit(2, 3f)], top);
    }

    [Fact]
    public async Task Chat_client_without_template_uses_a_plain_transcript_and_reports_usage()
    {
        var prompt = new ChatPromptBuilder(new CharTokenizer(), null).Build([new("user", "hi")]);
        Assert.Equal("User: hi\nAssistant:", prompt.Text);
        using var scripted = Create(" hello.\nUser: next", prompt.Ids.Length);
        using var client = new HearthChatClient(scripted);
        Assert.True(client.UsesFallbackTemplate);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        Assert.Equal(" hello.", response.Text);
        Assert.NotNull(response.Usage);
        Assert.Equal(prompt.Ids.Length, response.Usage.InputTokenCount);
        Assert.Equal(client.LastResult!.GeneratedIds.Count, response.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Chat_client_streams_updates_and_honours_max_output_tokens()
    {
        var turns = new ChatPromptBuilder(new CharTokenizer(), null).Build([new("user", "hi")]);
        using var model = Create("abcdef", turns.Ids.Length);
        using var client = new HearthChatClient(model);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 3 }))
            updates.Add(update);
        Assert.Equal("abc", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.Contains(updates[^1].Contents, c => c is UsageContent);
    }

    [Fact]
    public void Chat_options_map_onto_sampler_options()
    {
        var sampling = HearthChatClient.ToSampling(new ChatOptions { Temperature = 0.7f, TopP = 0.9f, TopK = 40, Seed = 5, FrequencyPenalty = 0.1f, PresencePenalty = 0.2f });
        Assert.Equal(0.7f, sampling.Temperature);
        Assert.Equal(0.9f, sampling.TopP);
        Assert.Equal(40, sampling.TopK);
        Assert.Equal(5, sampling.Seed);
        Assert.Equal(0.1f, sampling.FrequencyPenalty);
        Assert.Equal(0.2f, sampling.PresencePenalty);
        Assert.True(HearthChatClient.ToSampling(null).IsGreedy);
    }
}
