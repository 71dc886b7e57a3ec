using System.Diagnostics;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;
using Hearth.Runtime.Generation;
using Hearth.Runtime.KvCache;
using Hearth.Runtime.Serving;

namespace Hearth.Runtime.Benchmarking;

/// <summary>
/// tg&lt;N&gt; x&lt;B&gt; (llama-batched-bench's -npl): B sequences submitted at once to a <see cref="BatchingEngine"/> (what
/// `hearth serve` runs: continuous batching over the paged KV cache), each a distinct P-token prompt of fixed ids and
/// N greedy tokens. The engine prefills the prompts (in one step while B x P fits its token budget), then decodes the B
/// sequences together, reading the weights once a step for all of them. The rate counts the decode part: B x (N - 1)
/// tokens from the moment every sequence has its first token to the last one's end; TTFT is when the last sequence got
/// its first token (the prefill of all B), TPOT the mean of each sequence's time between tokens.
/// </summary>
internal sealed class ParallelBench : IDisposable
{
    private readonly BatchingEngine _engine;
    private readonly int _promptTokens;
    private readonly int[] _ids;

    public ParallelBench(Model model, IComputeDevice device, int promptTokens, int generationTokens, int maxBatch)
    {
        _promptTokens = promptTokens;
        var config = model.Config;
        const int blockSize = 16;
        int context = promptTokens + generationTokens;
        long blocksPerSequence = (context + blockSize - 1) / blockSize;
        _engine = new BatchingEngine(new ModelAdapter(model), device, new BatchingEngineOptions
        {
            BlockSize = blockSize,
            ContextLength = context,
            // Room for every sequence at full length, and the engine's null block: nothing is preempted.
            KvCacheBytes = PagedKvCache.BytesPerBlock(config, blockSize) * (blocksPerSequence * maxBatch + 2),
            MaxSequences = maxBatch,
            MaxTokensPerStep = Math.Max(512, maxBatch),
            MaxWaitingRequests = maxBatch,
            // Every repetition sends the same prompts: the cache must not hand the prefill back.
            PrefixCaching = false,
        });
        _ids = BenchRunner.FixedTokens(promptTokens * maxBatch, config.VocabSize);
    }

    /// <summary>One run of <paramref name="batch"/> sequences of <paramref name="generate"/> tokens each.</summary>
    public (double DecodeSeconds, double TtftSeconds, double TpotSeconds) Run(int batch, int generate)
    {
        long start = Stopwatch.GetTimestamp();
        var sequences = new Task<(double First, double Last, int Tokens)>[batch];
        for (int b = 0; b < batch; b++)
        {
            var request = new EngineRequest
            {
                PromptIds = _ids.AsSpan(b * _promptTokens, _promptTokens).ToArray(),
                MaxNewTokens = generate,
                IgnoreEos = true,
            };
            sequences[b] = Consume(_engine.Submit(request), start);
        }
        var done = Task.WhenAll(sequences).GetAwaiter().GetResult();
        foreach (var s in done)
        {
            if (s.Tokens != generate)
                throw new InvalidOperationException($"a sequence of the x{batch} run generated {s.Tokens} tokens, expected {generate}");
        }
        double allStarted = done.Max(s => s.First);
        double end = done.Max(s => s.Last);
        double tpot = generate > 1 ? done.Average(s => (s.Last - s.First) / (generate - 1)) : 0;
        return (end - allStarted, allStarted, tpot);
    }

    private static async Task<(double First, double Last, int Tokens)> Consume(IAsyncEnumerable<EngineEvent> events, long start)
    {
        double first = double.NaN, last = 0;
        int tokens = 0;
        await foreach (var e in events.ConfigureAwait(false))
        {
            if (e.Finish is { } finish)
            {
                if (finish.Reason is not ("length" or "stop"))
                    throw new InvalidOperationException($"a benchmark sequence ended '{finish.Reason}': {finish.Message}");
                continue;
            }
            last = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (tokens++ == 0) first = last;
        }
        return (first, last, tokens);
    }

    public void Dispose() => _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
