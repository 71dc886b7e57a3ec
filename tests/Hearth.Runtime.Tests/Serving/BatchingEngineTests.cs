using Hearth.Core;
using Hearth.Runtime.Sampling;
using Hearth.Runtime.Serving;
using static Hearth.Runtime.Tests.Serving.EngineTestSupport;

namespace Hearth.Runtime.Tests.Serving;

/// <summary>
/// The batching engine on the real tiny models. The reference for every greedy result is the single-sequence
/// Generator (contiguous cache, one request at a time): batching, chunking, prefix caching and preemption must give
/// exactly (bitwise) the same tokens.
/// </summary>
public class BatchingEngineTests
{
    private const string Llama3 = "llama3-gqa/hf";
    private const int MaxNew = 12;

    [TinyModelFact(Llama3)]
    public async Task Thirty_two_concurrent_greedy_requests_equal_sequential_runs_exactly()
    {
        using var model = Load(Llama3);
        var prompts = Prompts(32, model.GenerativeModel.Config.VocabSize, seed: 1);
        var expected = prompts.Select(p => GeneratorTokens(model, p, MaxNew)).ToArray();

        // Small steps so prompts are chunked and mixed with decodes.
        await using (var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 8 << 20, MaxTokensPerStep = 37, BlockSize = 8 }))
        {
            var results = await Task.WhenAll(prompts.Select(p => Collect(engine.Submit(Greedy(p, MaxNew)))));
            for (int i = 0; i < prompts.Length; i++)
            {
                Assert.Equal(expected[i], results[i].Tokens);
                Assert.Equal("length", results[i].Finish.Reason);
                Assert.Equal(prompts[i].Length, results[i].Finish.PromptTokens);
                Assert.Equal(MaxNew, results[i].Finish.CompletionTokens);
            }
            var metrics = engine.GetMetrics();
            Assert.Equal(0, metrics.KvBlocksUsed);
            Assert.Equal(32, metrics.RequestsTotal);
            Assert.Equal(32 * MaxNew, metrics.GeneratedTokensTotal);
            Assert.True(metrics.StepsTotal < 32 * MaxNew, $"{metrics.StepsTotal} steps: requests were not batched");
        }

        // And one at a time through the engine.
        await using var sequential = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 8 << 20, PrefixCaching = false });
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(expected[i], (await Collect(sequential.Submit(Greedy(prompts[i], MaxNew)))).Tokens);
    }

    [TinyModelFact("mistral-swa/hf")]
    public async Task Sliding_window_model_batches_exactly_too()
    {
        using var model = Load("mistral-swa/hf");
        var prompts = Prompts(8, model.GenerativeModel.Config.VocabSize, seed: 2, maxLength: 30);
        var expected = prompts.Select(p => GeneratorTokens(model, p, 10)).ToArray();
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, MaxTokensPerStep = 16, BlockSize = 4 });
        var results = await Task.WhenAll(prompts.Select(p => Collect(engine.Submit(Greedy(p, 10)))));
        for (int i = 0; i < prompts.Length; i++) Assert.Equal(expected[i], results[i].Tokens);
    }

    [TinyModelFact(Llama3)]
    public async Task Preemption_under_a_tiny_kv_budget_still_gives_the_same_greedy_tokens()
    {
        using var model = Load(Llama3);
        var config = model.GenerativeModel.Config;
        var prompts = Prompts(12, config.VocabSize, seed: 3);
        const int maxNew = 30;
        var expected = prompts.Select(p => GeneratorTokens(model, p, maxNew)).ToArray();
        // 16 blocks of 8 = 128 tokens for 12 sequences of up to ~70 tokens each: they must take turns.
        long budget = Hearth.Runtime.KvCache.PagedKvCache.BytesFor(config, 17, 8);  // 16 + the null block
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = budget, BlockSize = 8, MaxTokensPerStep = 64 });
        Assert.Equal(16, engine.GetMetrics().KvBlocksTotal);
        var results = await Task.WhenAll(prompts.Select(p => Collect(engine.Submit(Greedy(p, maxNew)))));
        for (int i = 0; i < prompts.Length; i++) Assert.Equal(expected[i], results[i].Tokens);
        var metrics = engine.GetMetrics();
        Assert.True(metrics.PreemptionsTotal > 0, "the budget was meant to force preemption");
        Assert.Equal(0, metrics.KvBlocksUsed);
    }

    [TinyModelFact(Llama3)]
    public async Task Prefix_cache_hits_are_counted_and_change_nothing_in_the_result()
    {
        using var model = Load(Llama3);
        var random = new Random(4);
        var system = Enumerable.Range(0, 40).Select(_ => random.Next(300)).ToArray();
        int[] a = [.. system, 5, 6, 7], b = [.. system, 9];
        var expectedB = GeneratorTokens(model, b, MaxNew);
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, BlockSize = 16 });
        var first = await Collect(engine.Submit(Greedy(a, MaxNew)));
        Assert.Equal(0, first.Finish.CachedPromptTokens);
        var second = await Collect(engine.Submit(Greedy(b, MaxNew)));
        Assert.Equal(32, second.Finish.CachedPromptTokens);  // two full blocks of the shared 40 tokens
        Assert.Equal(expectedB, second.Tokens);
        var metrics = engine.GetMetrics();
        Assert.Equal(32, metrics.CachedPromptTokensTotal);
        Assert.True(metrics.KvBlocksCached > 0);
        Assert.Equal(0, metrics.KvBlocksUsed);
    }

    // n choices of one request (EngineRequest.ShareGroup): the prompt is computed once and forked, each further choice
    // runs only its last prompt token, copying the shared block it writes; the texts are those of separate requests.
    [TinyModelFact(Llama3)]
    public async Task Choices_of_one_prompt_fork_it_and_give_the_texts_of_separate_requests()
    {
        using var model = Load(Llama3);
        var random = new Random(8);
        var prompt = Enumerable.Range(0, 37).Select(_ => random.Next(300)).ToArray();  // ends mid-block (block 16)
        // Choice 0 runs long enough (90 tokens, the context's end) that the others always find it running.
        EngineRequest Choice(int i, object? group) => Greedy(prompt, i == 0 ? 90 : 12) with
        {
            Sampling = new SamplerOptions { Temperature = 0.9f, TopK = 40, Seed = 100 + i },
            ShareGroup = group,
        };

        await using var separate = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, BlockSize = 16, PrefixCaching = false });
        var expected = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Collect(separate.Submit(Choice(i, null)))));

        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, BlockSize = 16, PrefixCaching = false });
        var group = new object();
        // The first choice is running (its first token is out) when the others arrive, as when a server submits n choices;
        // the engine is held after that token until they are queued, so the first cannot finish before (a loaded machine).
        using var gate = new ManualResetEventSlim(false);
        engine.BeforeSchedule = () => { if (engine.GetMetrics().GeneratedTokensTotal > 0) gate.Wait(); };
        var stream0 = engine.Submit(Choice(0, group)).GetAsyncEnumerator();
        Assert.True(await stream0.MoveNextAsync());
        var events0 = new List<EngineEvent> { stream0.Current };
        var others = Enumerable.Range(1, 3).Select(i => Collect(engine.Submit(Choice(i, group)))).ToList();
        await WaitUntil(() => engine.GetMetrics().WaitingRequests >= 3, "the other choices to be queued");
        gate.Set();
        while (await stream0.MoveNextAsync()) events0.Add(stream0.Current);
        await stream0.DisposeAsync();
        var choices = new[] { await Collect(events0.ToAsyncEnumerable()) }.Concat(await Task.WhenAll(others)).ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i].Tokens, choices[i].Tokens);
        Assert.Equal(0, choices[0].Finish.CachedPromptTokens);
        Assert.All(choices.Skip(1), c => Assert.Equal(prompt.Length - 1, c.Finish.CachedPromptTokens));
        Assert.NotEqual(choices[0].Tokens, choices[1].Tokens);  // different seeds: different texts
        var metrics = engine.GetMetrics();
        Assert.Equal(3L * (prompt.Length - 1), metrics.CachedPromptTokensTotal);
        Assert.True(metrics.KvCopyOnWritesTotal > 0, "the last prompt token of each fork lands in the shared third block");
        Assert.Equal(0, metrics.KvBlocksUsed);
        Assert.Equal(0, separate.GetMetrics().KvCopyOnWritesTotal);
    }

    [TinyModelFact(Llama3)]
    public async Task Cancelling_forked_choices_frees_every_block()
    {
        using var model = Load(Llama3);
        var prompt = Enumerable.Range(0, 21).Select(i => (i * 7) % 300).ToArray();
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, BlockSize = 8, PrefixCaching = false });
        var group = new object();
        using var cancel = new CancellationTokenSource();
        Task Read(IAsyncEnumerable<EngineEvent> s) => Task.Run(async () => { try { await foreach (var _ in s) { } } catch (OperationCanceledException) { } });
        // The first choice is running when the others arrive (they fork it); all are cancelled while generating. The engine
        // is held after the first token until the others are queued, and once all three run, so none can finish first.
        using var gate = new ManualResetEventSlim(false);
        using var hold = new ManualResetEventSlim(false);
        engine.BeforeSchedule = () =>
        {
            if (engine.GetMetrics().GeneratedTokensTotal > 0) gate.Wait();
            if (engine.GetMetrics().RunningSequences == 3) hold.Wait();
        };
        var first = Read(engine.Submit(Greedy(prompt, 10_000) with { ShareGroup = group }, cancel.Token));
        await WaitUntil(() => engine.GetMetrics().GeneratedTokensTotal > 0, "the first choice to start");
        var readers = Enumerable.Range(1, 2).Select(_ => Read(engine.Submit(Greedy(prompt, 10_000) with { ShareGroup = group }, cancel.Token))).Append(first).ToArray();
        await WaitUntil(() => engine.GetMetrics().WaitingRequests >= 2, "the forks to be queued");
        gate.Set();
        await WaitUntil(() => engine.GetMetrics().RunningSequences == 3, "the forks to run");
        cancel.Cancel();
        hold.Set();
        await Task.WhenAll(readers);
        await WaitUntil(() => engine.GetMetrics().KvBlocksUsed == 0, "every block to be freed");
        Assert.True(engine.GetMetrics().CachedPromptTokensTotal == 2L * (prompt.Length - 1));
    }

    // Steps whose sampling sequences can all draw from device-computed candidates return only those (OpKind.TopK);
    // steps with a sequence that needs the rows (top-p alone, logprobs) return the rows. Same tokens either way.
    [TinyModelFact(Llama3)]
    public async Task Device_candidates_give_the_tokens_of_whole_rows()
    {
        using var model = Load(Llama3);
        var prompts = Prompts(8, model.GenerativeModel.Config.VocabSize, seed: 12);
        EngineRequest Request(int i) => Greedy(prompts[i], 16) with
        {
            Sampling = (i % 4) switch
            {
                0 => SamplerOptions.Greedy,
                1 => new SamplerOptions { Temperature = 0.8f, TopK = 40, Seed = i },
                2 => new SamplerOptions { Temperature = 0.8f, TopK = 20, TopP = 0.9f, Seed = i },
                _ => new SamplerOptions { Temperature = 0.8f, TopP = 0.9f, Seed = i },  // needs the rows
            },
            Logprobs = i == 5,
        };
        async Task<int[][]> RunAll(int deviceTopK, bool servableOnly)
        {
            await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
                new BatchingEngineOptions { KvCacheBytes = 4 << 20, DeviceTopK = deviceTopK });
            var ids = Enumerable.Range(0, 8).Where(i => !servableOnly || (i % 4 != 3 && i != 5)).ToArray();
            var results = await Task.WhenAll(ids.Select(i => Collect(engine.Submit(Request(i)))));
            return [.. results.Select(r => r.Tokens)];
        }
        Assert.Equal(await RunAll(0, servableOnly: false), await RunAll(64, servableOnly: false));  // mixed steps: rows
        Assert.Equal(await RunAll(0, servableOnly: true), await RunAll(64, servableOnly: true));    // candidates only
    }

    [TinyModelFact(Llama3)]
    public async Task Seeded_sampling_does_not_depend_on_the_batch_either()
    {
        using var model = Load(Llama3);
        var prompts = Prompts(6, model.GenerativeModel.Config.VocabSize, seed: 5);
        var sampling = new SamplerOptions { Temperature = 0.9f, TopK = 40, Seed = 1234 };
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device, new BatchingEngineOptions { KvCacheBytes = 4 << 20 });
        var alone = await Collect(engine.Submit(Greedy(prompts[0], 20) with { Sampling = sampling }));
        var together = await Task.WhenAll(prompts.Select((p, i) =>
            Collect(engine.Submit(Greedy(p, 20) with { Sampling = i == 0 ? sampling : sampling with { Seed = i } }))));
        Assert.Equal(alone.Tokens, together[0].Tokens);
    }

    [TinyModelFact(Llama3)]
    public async Task Logprobs_are_the_log_softmax_of_the_raw_logits()
    {
        using var model = Load(Llama3);
        int[] prompt = [1, 2, 3, 4, 5];
        using var generator = model.CreateGenerator(new Generation.GeneratorOptions { IgnoreEos = true, MaxNewTokens = 3 });
        generator.AppendTokens(prompt);
        var expected = new List<(int Id, double Logprob, int SecondId)>();
        while (!generator.IsDone)
        {
            int id = generator.GenerateNextToken().Id;
            var logits = generator.Logits.ToArray();  // the logits that token was drawn from
            double max = logits.Max();
            double lse = max + Math.Log(logits.Sum(v => Math.Exp(v - max)));
            int second = Enumerable.Range(0, logits.Length).Where(i => i != id).MaxBy(i => logits[i]);
            expected.Add((id, logits[id] - lse, second));
        }
        generator.Dispose();
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device, new BatchingEngineOptions { KvCacheBytes = 4 << 20 });
        var result = await Collect(engine.Submit(Greedy(prompt, 3) with { Logprobs = true, TopLogprobs = 2 }));
        var tokens = result.Events.Where(e => e.Finish is null).ToList();
        Assert.Equal(3, tokens.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i].Id, tokens[i].TokenId);
            Assert.Equal(expected[i].Logprob, tokens[i].Logprob!.Value, 4);
            Assert.Equal(2, tokens[i].TopLogprobs!.Count);
            Assert.Equal(expected[i].Id, tokens[i].TopLogprobs![0].Id);
            Assert.Equal(expected[i].SecondId, tokens[i].TopLogprobs![1].Id);
            Assert.True(tokens[i].TopLogprobs![1].Logprob <= tokens[i].TopLogprobs![0].Logprob);
        }
    }

    [TinyModelFact(Llama3)]
    public async Task Invalid_requests_throw_at_submit()
    {
        using var model = Load(Llama3);
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, ContextLength = 32 });
        Assert.Equal(32, engine.ContextLength);
        var tooLong = Assert.Throws<PromptTooLongException>(() => engine.Submit(Greedy([.. Enumerable.Range(0, 32)], 1)));
        Assert.Equal(32, tooLong.PromptTokens);
        Assert.Contains("promptIds[1]", Assert.Throws<HearthException>(() => engine.Submit(Greedy([1, 100000], 1))).Message, StringComparison.Ordinal);
        Assert.Throws<HearthException>(() => engine.Submit(Greedy([], 1)));
        Assert.Throws<HearthException>(() => engine.Submit(Greedy([1], 1) with { Sampling = new SamplerOptions { TopP = 2 } }));
        var zero = await Collect(engine.Submit(Greedy([1, 2], 0)));
        Assert.Equal("length", zero.Finish.Reason);
        Assert.Empty(zero.Tokens);
        // The context limit ends a sequence with "length".
        var full = await Collect(engine.Submit(new EngineRequest { PromptIds = [1, 2, 3], IgnoreEos = true }));
        Assert.Equal("length", full.Finish.Reason);
        Assert.Equal(29, full.Finish.CompletionTokens);
    }

    [Fact]
    public void Engine_options_are_validated()
    {
        Assert.Throws<HearthException>(() => new BatchingEngineOptions { BlockSize = 0 }.Validate());
        Assert.Throws<HearthException>(() => new BatchingEngineOptions { KvMemoryFraction = 1.5 }.Validate());
        Assert.Throws<HearthException>(() => new BatchingEngineOptions { MaxTokensPerStep = 0 }.Validate());
        Assert.True(KvMemory.AvailableBytes() > 0);
        Assert.Equal(123, KvMemory.BudgetBytes(new BatchingEngineOptions { KvCacheBytes = 123 }));
    }
}

public class EngineBudgetTests
{
    [TinyModelFact("llama3-gqa/hf")]
    public async Task A_small_budget_shortens_the_context_and_is_reported()
    {
        using var model = Load("llama3-gqa/hf");
        var config = model.GenerativeModel.Config;
        long budget = Hearth.Runtime.KvCache.PagedKvCache.BytesFor(config, 5, 8);  // 4 blocks + the null block
        await using (var engine = new BatchingEngine(model.GenerativeModel, model.Device, new BatchingEngineOptions { KvCacheBytes = budget, BlockSize = 8 }))
        {
            Assert.Equal(32, engine.ContextLength);
            var metrics = engine.GetMetrics();
            Assert.Equal(4, metrics.KvBlocksTotal);
            Assert.Equal(8, metrics.KvBlockSize);
            Assert.Equal(budget, metrics.KvCacheBytes);
            Assert.Equal(4, metrics.KvBlocksFree);
        }
        Assert.Throws<HearthException>(() => new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = budget, BlockSize = 8, ContextLength = 64 }));
        Assert.Throws<HearthException>(() => new BatchingEngine(model.GenerativeModel, model.Device, new BatchingEngineOptions { KvCacheBytes = 100 }));
        // A fraction of the available memory: capped at what the sequences can use.
        await using var byFraction = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvMemoryFraction = 0.01, MaxSequences = 4 });
        Assert.Equal(config.ContextLength, byFraction.ContextLength);
        Assert.Equal(4 * config.ContextLength / 16, byFraction.GetMetrics().KvBlocksTotal);
    }

    [TinyModelFact("llama3-gqa/hf")]
    public async Task An_f16_cache_takes_half_the_memory_and_still_batches_invariantly()
    {
        using var model = Load("llama3-gqa/hf");
        var prompts = Prompts(6, model.GenerativeModel.Config.VocabSize, seed: 9);
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 1 << 20, KvCacheType = TensorType.F16 });
        var f32Bytes = Hearth.Runtime.KvCache.PagedKvCache.BytesFor(model.GenerativeModel.Config, engine.GetMetrics().KvBlocksTotal + 1, 16);
        Assert.Equal(f32Bytes / 2, engine.GetMetrics().KvCacheBytes);
        var alone = new List<int[]>();
        foreach (var p in prompts) alone.Add((await Collect(engine.Submit(Greedy(p, 10)))).Tokens);
        var together = await Task.WhenAll(prompts.Select(p => Collect(engine.Submit(Greedy(p, 10)))));
        for (int i = 0; i < prompts.Length; i++) Assert.Equal(alone[i], together[i].Tokens);
    }
}
