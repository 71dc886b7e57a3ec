using Hearth.Core;
using Hearth.Runtime;
using Hearth.Runtime.Sampling;
using Hearth.Runtime.Serving;

namespace Hearth.Server.Tests;

/// <summary>The SequentialEngine against the IInferenceEngine contract, on hearth-tiny.</summary>
public sealed class SequentialEngineTests : IDisposable
{
    private readonly HearthModel _model = HearthModel.Load(TinyServer.ModelPath);

    public void Dispose() => _model.Dispose();

    private static async Task<List<EngineEvent>> Collect(IAsyncEnumerable<EngineEvent> events, CancellationToken token = default)
    {
        var list = new List<EngineEvent>();
        await foreach (var e in events.WithCancellation(token)) list.Add(e);
        return list;
    }

    [Fact]
    public async Task Greedy_decoding_matches_the_pytorch_golden_and_ends_with_one_finish()
    {
        await using var engine = new SequentialEngine(_model);
        var c = Golden.Chat[2];
        var events = await Collect(engine.Submit(new EngineRequest { PromptIds = c.PromptIds, MaxNewTokens = 20, IgnoreEos = true }));
        var finish = events[^1].Finish;
        Assert.NotNull(finish);
        Assert.All(events[..^1], e => Assert.Null(e.Finish));
        Assert.Equal(c.GeneratedIds[..20], events[..^1].Select(e => e.TokenId));
        Assert.Equal("length", finish.Reason);
        Assert.Equal(20, finish.CompletionTokens);
        Assert.Equal(c.PromptIds.Length, finish.PromptTokens);
        Assert.Equal("hearth-tiny", engine.ModelName);
    }

    [Fact]
    public async Task Logprobs_are_a_log_softmax_of_the_logits()
    {
        await using var engine = new SequentialEngine(_model);
        var c = Golden.Chat[0];
        var events = await Collect(engine.Submit(new EngineRequest { PromptIds = c.PromptIds, MaxNewTokens = 3, Logprobs = true, TopLogprobs = 5, IgnoreEos = true }));
        // The same first step through the plain Generator gives the logits to check against.
        using var generator = _model.CreateGenerator();
        generator.AppendTokens(c.PromptIds);
        var logits = generator.Logits.ToArray();
        double max = logits.Max();
        double logZ = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
        var first = events[0];
        Assert.Equal(logits[first.TokenId] - logZ, first.Logprob!.Value, 4);
        Assert.Equal(5, first.TopLogprobs!.Count);
        Assert.Equal(first.TokenId, first.TopLogprobs[0].Id);
        double probability = first.TopLogprobs.Sum(t => Math.Exp(t.Logprob));
        Assert.InRange(probability, 0, 1.0001);
        for (int i = 1; i < 5; i++) Assert.True(first.TopLogprobs[i - 1].Logprob >= first.TopLogprobs[i].Logprob);
    }

    [Fact]
    public async Task Seeds_reproduce_and_stop_strings_cut()
    {
        await using var engine = new SequentialEngine(_model);
        var prompt = _model.Encode("Once upon a time");
        async Task<string> Text(int seed, params string[] stop) => string.Concat((await Collect(engine.Submit(new EngineRequest
        {
            PromptIds = prompt, MaxNewTokens = 30, IgnoreEos = true, StopStrings = stop,
            Sampling = new SamplerOptions { Temperature = 1.2f, Seed = seed },
        }))).Select(e => e.Text));
        var a = await Text(3);
        Assert.Equal(a, await Text(3));
        Assert.NotEqual(a, await Text(4));
        var stop = a.Substring(a.Length / 2, 2);
        var cut = await Text(3, stop);
        Assert.Equal(a[..a.IndexOf(stop, StringComparison.Ordinal)], cut);
    }

    [Fact]
    public async Task Refusals_come_at_submit_time()
    {
        await using var engine = new SequentialEngine(_model, new SequentialEngineOptions { MaxWaitingRequests = 1 });
        Assert.Throws<PromptTooLongException>(() => engine.Submit(new EngineRequest { PromptIds = new int[engine.ContextLength] }));
        Assert.Throws<HearthException>(() => engine.Submit(new EngineRequest { PromptIds = [] }));
        Assert.Throws<HearthException>(() => engine.Submit(new EngineRequest { PromptIds = [1, 1_000_000] }));
        Assert.Throws<HearthException>(() => engine.Submit(new EngineRequest { PromptIds = [1], Sampling = new SamplerOptions { TopP = 0 } }));

        // One running + one waiting fill it; the third is refused at once with a retry hint.
        var prompt = _model.Encode("Once");
        var running = engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 200, IgnoreEos = true });
        var waiting = engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 200, IgnoreEos = true });
        var e = Assert.Throws<EngineOverloadedException>(() => engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 1 }));
        Assert.True(e.RetryAfter > TimeSpan.Zero);
        Assert.Equal(200, (await Collect(running))[^1].Finish!.CompletionTokens);
        Assert.Equal(200, (await Collect(waiting))[^1].Finish!.CompletionTokens);
        Assert.Equal(0, engine.GetMetrics().WaitingRequests);
        Assert.Single(await Collect(engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 0 })));
    }

    [Fact]
    public async Task Cancelling_stops_the_sequence_and_frees_the_engine()
    {
        await using var engine = new SequentialEngine(_model);
        var prompt = _model.Encode("Once");
        // The engine writes tokens ahead of a slow reader, so on a loaded machine it can reach the 250 tokens
        // (tens of milliseconds) before this reader sees its third: a try counts only if the cancel came in time,
        // and an engine that ignored cancelling runs all 250 in every try.
        var generatedPerTry = new List<long>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = engine.GetMetrics().GeneratedTokensTotal;
            using var cts = new CancellationTokenSource();
            int seen = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var e in engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 250, IgnoreEos = true }, cts.Token).WithCancellation(cts.Token))
                    if (++seen == 3) await cts.CancelAsync();
            });
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (engine.GetMetrics().RunningSequences > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.Equal(0, engine.GetMetrics().RunningSequences);
            generatedPerTry.Add(engine.GetMetrics().GeneratedTokensTotal - before);
            if (generatedPerTry[^1] < 250) break;
        }
        Assert.True(generatedPerTry[^1] < 250, $"the generation ran on after the cancel in every try ({string.Join(", ", generatedPerTry)} tokens)");
        // The next request runs normally.
        var next = await Collect(engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 2, IgnoreEos = true }));
        Assert.Equal(2, next[^1].Finish!.CompletionTokens);
    }

    [Fact]
    public async Task The_prefix_cache_is_reported()
    {
        await using var engine = new SequentialEngine(_model);
        var prompt = _model.Encode("Once upon a time there was");
        await Collect(engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 2 }));
        var second = await Collect(engine.Submit(new EngineRequest { PromptIds = prompt, MaxNewTokens = 2 }));
        Assert.Equal(prompt.Length - 1, second[^1].Finish!.CachedPromptTokens);
        var m = engine.GetMetrics();
        Assert.Equal(m.KvBlocksTotal, m.KvBlocksUsed + m.KvBlocksFree + m.KvBlocksCached);
    }
}
