using Hearth.Runtime.Serving;
using static Hearth.Runtime.Tests.Serving.EngineTestSupport;

namespace Hearth.Runtime.Tests.Serving;

/// <summary>Tests that measure process-wide managed memory run alone (xunit runs other classes in parallel).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
    public const string Name = "memory measuring";
}

/// <summary>Cancellation and overload: nothing leaks, nothing hangs.</summary>
[Collection(MemoryMeasuringCollection.Name)]
public class EngineLoadTests
{
    private const string Llama3 = "llama3-gqa/hf";

    [TinyModelFact(Llama3)]
    public async Task Ten_thousand_streams_cancelled_mid_way_leak_no_blocks_and_no_memory()
    {
        using var model = Load(Llama3);
        var prompts = Prompts(64, model.GenerativeModel.Config.VocabSize, seed: 6);
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 8 << 20, MaxWaitingRequests = 10_000, MaxSequences = 64 });

        int finishedBeforeCancel = 0;
        async Task Wave(int start, int count)
        {
            var tasks = new Task[count];
            for (int i = 0; i < count; i++)
            {
                int n = start + i;
                tasks[i] = Task.Run(async () =>
                {
                    using var cts = new CancellationTokenSource();
                    var stream = engine.Submit(Greedy(prompts[n % prompts.Length], 1000), cts.Token);
                    int seen = 0;
                    try
                    {
                        // Half cancel through the token, half by abandoning the enumerator.
                        await foreach (var e in stream.WithCancellation(cts.Token))
                        {
                            if (e.Finish is not null)
                            {
                                // A consumer starved of CPU can fall behind until its sequence hits the context end.
                                Assert.Equal("length", e.Finish.Reason);
                                Interlocked.Increment(ref finishedBeforeCancel);
                                break;
                            }
                            if (++seen == 1 + n % 3)
                            {
                                if (n % 2 == 0) await cts.CancelAsync();
                                else break;
                            }
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        // expected for the token-cancelled half
                    }
                });
            }
            await Task.WhenAll(tasks);
        }

        await Wave(0, 200);  // warm-up: executables compiled, buffers grown
        await WaitUntil(() => engine.GetMetrics().KvBlocksUsed == 0 && engine.GetMetrics().RunningSequences == 0, "the warm-up to drain");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        for (int start = 200; start < 10_000; start += 400) await Wave(start, Math.Min(400, 10_000 - start));

        await WaitUntil(() =>
        {
            var m = engine.GetMetrics();
            return m.KvBlocksUsed == 0 && m.RunningSequences == 0 && m.WaitingRequests == 0;
        }, "every cancelled sequence to be freed");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        var metrics = engine.GetMetrics();
        Assert.Equal(10_000, metrics.RequestsTotal);
        Assert.True(finishedBeforeCancel < 500, $"{finishedBeforeCancel} streams ended before their consumer cancelled them");
        Assert.Equal(0, metrics.KvBlocksUsed);
        Assert.True(after - before < 8 << 20, $"managed memory grew from {before} to {after} bytes over 9,800 cancelled streams");
    }

    [TinyModelFact(Llama3)]
    public async Task Overload_beyond_the_bounded_queue_throws_and_nothing_hangs()
    {
        using var model = Load(Llama3);
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, MaxWaitingRequests = 4, MaxSequences = 2 });
        var accepted = new List<Task<(int[] Tokens, string Text, EngineFinish Finish, List<EngineEvent> Events)>>();
        int rejected = 0;
        for (int i = 0; i < 60; i++)
        {
            try
            {
                accepted.Add(Collect(engine.Submit(Greedy([1 + i % 50, 2, 3], 20))));
            }
            catch (EngineOverloadedException e)
            {
                rejected++;
                Assert.True(e.RetryAfter > TimeSpan.Zero);
            }
        }
        Assert.True(rejected > 0, "60 instant submissions against a queue of 4 should overflow it");
        Assert.True(accepted.Count >= 4);
        var all = Task.WhenAll(accepted);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(EngineTestSupport.Timeout)));
        foreach (var result in await all) Assert.Equal(20, result.Tokens.Length);
        // Once drained, the engine takes requests again.
        Assert.Equal(5, (await Collect(engine.Submit(Greedy([1, 2], 5)))).Tokens.Length);
        Assert.Equal(0, engine.GetMetrics().KvBlocksUsed);
    }

    [TinyModelFact(Llama3)]
    public async Task A_burst_that_fits_the_running_slots_is_taken_even_past_one_steps_token_budget()
    {
        // 16 slots, no waiting room, 32 tokens a step: 16 prompts of 8 tokens need 4 steps to prefill, and every one of
        // them must still be taken (they join later steps); only the 17th, past the slots, is refused.
        using var model = Load(Llama3);
        await using var engine = new BatchingEngine(model.GenerativeModel, model.Device,
            new BatchingEngineOptions { KvCacheBytes = 4 << 20, MaxWaitingRequests = 0, MaxSequences = 16, MaxTokensPerStep = 32 });
        var accepted = new List<Task<(int[] Tokens, string Text, EngineFinish Finish, List<EngineEvent> Events)>>();
        for (int i = 0; i < 16; i++)
            accepted.Add(Collect(engine.Submit(Greedy([1 + i, 2, 3, 4, 5, 6, 7, 8], 64))));
        Assert.Throws<EngineOverloadedException>(() => engine.Submit(Greedy([9, 2, 3, 4, 5, 6, 7, 8], 64)));
        var all = Task.WhenAll(accepted);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(EngineTestSupport.Timeout)));
        foreach (var result in await all) Assert.Equal(64, result.Tokens.Length);
        // Finished sequences free their slots.
        Assert.Equal(5, (await Collect(engine.Submit(Greedy([1, 2], 5)))).Tokens.Length);
        Assert.Equal(0, engine.GetMetrics().KvBlocksUsed);
    }

    [TinyModelFact(Llama3)]
    public async Task Disposing_the_engine_ends_every_stream()
    {
        using var model = Load(Llama3);
        var engine = new BatchingEngine(model.GenerativeModel, model.Device, new BatchingEngineOptions { KvCacheBytes = 4 << 20 });
        var streams = Enumerable.Range(0, 5).Select(i => Collect(engine.Submit(Greedy([1, 2, 3 + i], 100_000)))).ToList();
        using var cts = new CancellationTokenSource();
        var held = engine.Submit(Greedy([4, 5, 6], 100_000), cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await held.MoveNextAsync());
        await Task.Delay(50);
        await engine.DisposeAsync();
        foreach (var s in streams) Assert.Contains((await s).Finish.Reason, new[] { "cancelled", "length" });
        Assert.Throws<ObjectDisposedException>(() => engine.Submit(Greedy([1], 1)));
        // Cancelling and letting go of a stream after disposal is harmless.
        await cts.CancelAsync();
        await held.DisposeAsync();
    }
}
