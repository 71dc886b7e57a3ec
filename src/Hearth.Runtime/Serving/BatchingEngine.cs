using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Runtime.Generation;
using Hearth.Runtime.KvCache;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Runtime.Serving;

/// <summary>
/// Continuous batching over a paged KV cache. One dedicated thread runs steps: requests join at the next step, prefill
/// is chunked and mixed with decodes under a per-step token budget, the youngest sequences are preempted (and later
/// recomputed) when blocks run out, identical prompt prefixes share cached blocks, and cancellation frees blocks at the
/// next step. Events reach each caller through its own channel.
/// <para>Batch invariance: the backend computes each row of a step exactly as it would alone (tested per kernel by the
/// conformance suite), and the sampler of a sequence sees only its own logits, so a request's greedy tokens never
/// depend on what else is running, how its prompt was chunked, whether its prefix came from the cache or whether it
/// was preempted and recomputed.</para>
/// The engine does not own the model or the device; do not run other work on the device while it runs.
/// </summary>
public sealed class BatchingEngine : IInferenceEngine
{
    private readonly IGenerativeModel _model;
    private readonly BatchingEngineOptions _options;
    private readonly HashSet<int> _eosIds;
    private readonly PagedKvCache _cache;
    private readonly KvBlockManager _blocks;
    private readonly Scheduler _scheduler;
    private readonly BatchStepRunner _runner;
    private readonly ConcurrentQueue<EngineSequence> _incoming = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private int _live;                // submitted and not yet finished: running, or waiting for one of _slots
    private readonly int _slots;      // sequences that run at once; the queue bound counts only those past them
    private volatile bool _stopping;
    private volatile string? _fault;  // why the step thread died, if it did
    private int _disposed;
    private long _requests, _promptTokens, _generatedTokens, _steps;
    private volatile EngineMetrics _metrics = new();

    public BatchingEngine(IGenerativeModel model, IComputeDevice device, BatchingEngineOptions? options = null,
        ChatTemplate? chatTemplate = null, string? modelName = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentNullException.ThrowIfNull(device);
        _options = options ?? new BatchingEngineOptions();
        _options.Validate();
        ChatTemplate = chatTemplate;
        ModelName = _options.ModelName ?? modelName ?? "model";
        _eosIds = [.. model.EosIds];

        var config = model.Config;
        int blockSize = _options.BlockSize;
        long budget = KvMemory.BudgetBytes(_options);
        long perBlock = PagedKvCache.BytesPerBlock(config, blockSize, _options.KvCacheType);
        int wantedContext = _options.ContextLength ?? Math.Min(config.ContextLength, GeneratorOptions.DefaultContextCap);
        if (wantedContext > config.ContextLength)
            throw new HearthException($"context length {wantedContext} exceeds the model's maximum of {config.ContextLength} tokens");
        int blocksPerSeq = (wantedContext + blockSize - 1) / blockSize;
        // More blocks than every sequence at full context could use would only waste memory; fewer than one block is an error.
        long maxRows = Array.MaxLength / Math.Max(1, config.KvHeadCount * config.HeadDim);
        long blocks = Math.Min(budget / perBlock - 1,
            Math.Min((long)blocksPerSeq * Math.Min(_options.MaxSequences, _options.MaxTokensPerStep), maxRows / blockSize - 1));
        if (blocks < 1)
            throw new HearthException($"the KV cache budget of {budget} bytes holds no block of {blockSize} tokens ({perBlock} bytes each); raise the KV memory");
        int contextLength = wantedContext;
        if (blocks * blockSize < wantedContext)
        {
            if (_options.ContextLength is not null)
                throw new HearthException($"the KV cache budget of {budget} bytes holds {blocks * blockSize} tokens, less than the context length of {wantedContext}; raise the KV memory or lower the context");
            contextLength = (int)(blocks * blockSize);
            blocksPerSeq = (int)blocks;
        }
        if (contextLength < 2) throw new HearthException($"the KV cache budget of {budget} bytes holds only {contextLength} token(s); raise the KV memory");
        ContextLength = contextLength;

        // One block more than the allocator hands out: the null block that padding rows of a step write to.
        _cache = new PagedKvCache(device, config, (int)blocks + 1, blockSize, _options.KvCacheType);
        try
        {
            _blocks = new KvBlockManager(new BlockAllocator((int)blocks), blockSize, _cache);
            // Every running sequence must be able to decode in every step, or the youngest would starve.
            _slots = Math.Min(_options.MaxSequences, _options.MaxTokensPerStep);
            _scheduler = new Scheduler(_blocks, _options.MaxTokensPerStep, _slots, _options.PrefixCaching);
            _runner = new BatchStepRunner(model, device, _cache, blocksPerSeq, _options.MaxCompiledSteps, nullBlock: (int)blocks,
                topK: _options.DeviceTopK ?? Generator.DefaultDeviceTopKFor(device));
        }
        catch
        {
            _cache.Dispose();
            throw;
        }
        PublishMetrics();
        _thread = new Thread(Loop) { IsBackground = true, Name = "hearth-engine" };
        _thread.Start();
    }

    /// <summary>An engine over a loaded <see cref="HearthModel"/> (its model, device, chat template and name), which stays the caller's.</summary>
    public static BatchingEngine Create(HearthModel model, BatchingEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new BatchingEngine(model.GenerativeModel, model.Device, options, model.ChatTemplate, Path.GetFileNameWithoutExtension(model.Name.TrimEnd('/', '\\')));
    }

    public string ModelName { get; }
    public ITokenizer Tokenizer => _model.Tokenizer;
    public ChatTemplate? ChatTemplate { get; }
    public int ContextLength { get; }
    public BatchingEngineOptions Options => _options;

    /// <summary>Step executables compiled so far (tests and diagnostics).</summary>
    public int Compilations => _runner.Compilations;

    /// <summary>Candidates a step returns instead of logits rows when every sequence can sample from them (0: rows always).</summary>
    public int DeviceTopK => _runner.TopK;

    public IAsyncEnumerable<EngineEvent> Submit(EngineRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_stopping) throw new HearthException($"the engine stopped: {_fault ?? "it was disposed"}");
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        Validate(request);

        // Bounded queue: requests beyond the running slots wait, at most MaxWaitingRequests of them. A burst that fits
        // the slots is taken even when one step's token budget cannot prefill it at once (those join a step later).
        int live = Interlocked.Increment(ref _live);
        if (live > _slots + _options.MaxWaitingRequests)
        {
            Interlocked.Decrement(ref _live);
            throw new EngineOverloadedException(
                $"the engine is overloaded: {_options.MaxWaitingRequests} requests are already waiting for one of its {_slots} sequence slots", TimeSpan.FromSeconds(1));
        }
        var emitter = new TokenEmitter(_model.Tokenizer, _eosIds, request.StopStrings, request.SkipSpecialTokens);
        var sequence = new EngineSequence(Interlocked.Increment(ref _nextId), request, emitter);
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _promptTokens, sequence.PromptLength);
        if (cancellationToken.CanBeCanceled)
            sequence.Registration = cancellationToken.Register(static s => ((BatchingEngine)((object[])s!)[0]).Cancel((EngineSequence)((object[])s!)[1]), new object[] { this, sequence });
        _incoming.Enqueue(sequence);
        Wake();
        return Read(sequence, cancellationToken);
    }

    /// <summary>
    /// Tests: runs on the engine thread before each step is scheduled (after new requests were taken in), so a test can
    /// hold the engine at a chosen point (e.g. keep a sequence running until its siblings have arrived).
    /// </summary>
    internal Action? BeforeSchedule { get; set; }

    public EngineMetrics GetMetrics()
    {
        var m = _metrics;
        return m with { WaitingRequests = m.WaitingRequests + _incoming.Count };
    }

    private void Validate(EngineRequest request)
    {
        if (request.PromptIds is null || request.PromptIds.Count == 0) throw new HearthException("promptIds: the prompt has no tokens");
        int vocab = _model.Config.VocabSize;
        for (int i = 0; i < request.PromptIds.Count; i++)
        {
            int id = request.PromptIds[i];
            if ((uint)id >= (uint)vocab) throw new HearthException($"promptIds[{i}]: token id {id} is outside the vocabulary of {vocab} tokens");
        }
        if (request.PromptIds.Count >= ContextLength) throw new PromptTooLongException(request.PromptIds.Count, ContextLength);
        if (request.MaxNewTokens is < 0) throw new HearthException($"maxNewTokens must be >= 0 (got {request.MaxNewTokens})");
        if (request.TopLogprobs < 0 || request.TopLogprobs > 20) throw new HearthException($"topLogprobs must be in 0..20 (got {request.TopLogprobs})");
        ArgumentNullException.ThrowIfNull(request.Sampling, "sampling");
        request.Sampling.Validate();
        if (request.StopStrings is null) throw new HearthException("stopStrings must not be null");
    }

    private void Cancel(EngineSequence sequence)
    {
        sequence.RequestCancel();
        Wake();
    }

    private void Wake()
    {
        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // The engine is gone; there is nothing left to wake (a consumer let go of its stream after disposal).
        }
    }

    private async IAsyncEnumerable<EngineEvent> Read(EngineSequence sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = sequence.Events.Reader;
        bool finished = false;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    // Buffered events are not delivered once the caller has cancelled.
                    cancellationToken.ThrowIfCancellationRequested();
                    if (item.Finish is not null) finished = true;
                    yield return item;
                    if (finished) yield break;
                }
            }
        }
        finally
        {
            // The consumer stopped early (or its token fired): the sequence ends at the next step.
            if (!finished) Cancel(sequence);
        }
    }

    // ---- the step thread ----

    private void Loop()
    {
        try
        {
            while (!_stopping)
            {
                DrainIncoming();
                RemoveCancelled();
                if (!_scheduler.HasWork)
                {
                    PublishMetrics();
                    _wake.WaitOne();
                    continue;
                }
                BeforeSchedule?.Invoke();
                var chunks = _scheduler.Schedule();
                if (chunks.Count == 0)
                {
                    // Nothing fits now (cannot happen with a sane budget); wait for a change instead of spinning.
                    PublishMetrics();
                    _wake.WaitOne(10);
                    continue;
                }
                RunStep(chunks);
                PublishMetrics();
            }
        }
        catch (Exception e)
        {
            // A bug in the engine itself: stop accepting work, end every sequence, keep the reason for Submit.
            _fault = e.Message;
            Trace.TraceError($"hearth engine step thread failed: {e}");
        }
        finally
        {
            _stopping = true;
            foreach (var sequence in _scheduler.All.ToList()) Finish(sequence, "cancelled", "the engine stopped");
            while (_incoming.TryDequeue(out var sequence)) Finish(sequence, "cancelled", "the engine stopped");
            PublishMetrics();
            _stopped.TrySetResult();
        }
    }

    private void DrainIncoming()
    {
        while (_incoming.TryDequeue(out var sequence))
        {
            if (sequence.Request.MaxNewTokens == 0)
            {
                Finish(sequence, "length", "reached the limit of 0 new tokens");
                continue;
            }
            _scheduler.Enqueue(sequence);
        }
    }

    private void RemoveCancelled()
    {
        List<EngineSequence>? cancelled = null;
        foreach (var sequence in _scheduler.All)
            if (sequence.CancelRequested) (cancelled ??= []).Add(sequence);
        if (cancelled is null) return;
        foreach (var sequence in cancelled) Finish(sequence, "cancelled", "the request was cancelled");
    }

    private void RunStep(List<ScheduledChunk> chunks)
    {
        ReadOnlySpan<float> logits;
        // Candidates only when every sequence that samples in this step can draw exactly from them.
        bool candidates = _runner.TopK > 0;
        foreach (var c in chunks)
            if (c.WantsLogits && !Servable(c.Sequence)) candidates = false;
        try
        {
            logits = _runner.Run(chunks, candidates);
        }
        catch (Exception e) when (e is HearthException or InvalidOperationException or ArgumentException)
        {
            // A step that fails fails its sequences (with the reason) and the engine goes on with the others.
            foreach (var c in chunks) Finish(c.Sequence, "error", e.Message);
            return;
        }
        _steps++;
        candidates &= _runner.TopK > 0;
        int width = _runner.RowWidth(candidates), row = 0;
        foreach (var c in chunks)
        {
            var sequence = c.Sequence;
            sequence.Computed += c.Count;
            if (_options.PrefixCaching) _blocks.CommitFullBlocks(sequence.Table, sequence.TokenSpan, sequence.Computed);
            if (!c.WantsLogits) continue;
            var rowLogits = logits.Slice(row++ * width, width);
            if (sequence.CancelRequested) continue;  // ended at the top of the next step
            try
            {
                if (candidates) Emit(sequence, sequence.Sampler.SampleTopKRow(rowLogits), logits: default);
                else Emit(sequence, sequence.Sampler.Sample(rowLogits, sequence.TokenSpan), rowLogits);
            }
            catch (Exception e) when (e is HearthException or ArgumentException or InvalidOperationException)
            {
                Finish(sequence, "error", e.Message);
            }
        }
    }

    private bool Servable(EngineSequence sequence) =>
        !sequence.Request.Logprobs && sequence.Request.TopLogprobs == 0 && sequence.Sampler.CanSampleFromTopK(_runner.TopK);

    // logits: the row the token was drawn from (empty when drawn from candidates: no logprobs were asked for then).
    private void Emit(EngineSequence sequence, int id, ReadOnlySpan<float> logits)
    {
        var request = sequence.Request;
        float? logprob = null;
        IReadOnlyList<TokenLogprob>? top = null;
        if (request.Logprobs || request.TopLogprobs > 0)
        {
            double lse = Logprobs.LogSumExp(logits);
            logprob = (float)(logits[id] - lse);
            if (request.TopLogprobs > 0) top = Logprobs.Top(logits, request.TopLogprobs, lse);
        }
        sequence.Tokens.Add(id);
        sequence.FirstToken ??= Stopwatch.GetElapsedTime(sequence.Started);
        Interlocked.Increment(ref _generatedTokens);
        string text = sequence.Emitter.Accept(id, request.IgnoreEos, request.MaxNewTokens, sequence.Tokens.Count, ContextLength);
        sequence.Events.Writer.TryWrite(new EngineEvent(id, text) { Logprob = logprob, TopLogprobs = top });
        if (sequence.Emitter.StopReason is { } reason)
        {
            string finish = reason switch
            {
                StopReason.Eos or StopReason.StopString => "stop",
                StopReason.MaxTokens or StopReason.ContextFull => "length",
                _ => "cancelled",
            };
            Finish(sequence, finish, sequence.Emitter.StopMessage ?? finish);
        }
    }

    private void Finish(EngineSequence sequence, string reason, string message)
    {
        if (sequence.Finished) return;
        sequence.Finished = true;
        Interlocked.Decrement(ref _live);
        _scheduler.Remove(sequence);
        // The metrics count the sequence as ended (its blocks freed) before its stream ends, so a client that reads
        // /metrics after a response sees it; otherwise that waited for the end of the step.
        PublishMetrics();
        sequence.Registration.Dispose();
        var total = Stopwatch.GetElapsedTime(sequence.Started);
        var finish = new EngineFinish(reason, message, sequence.PromptLength, sequence.Tokens.Count - sequence.PromptLength,
            sequence.CachedPromptTokens, sequence.FirstToken ?? total, total);
        sequence.Events.Writer.TryWrite(new EngineEvent(-1, "") { Finish = finish });
        sequence.Events.Writer.TryComplete();
    }

    private void PublishMetrics()
    {
        var allocator = _blocks.Allocator;
        _metrics = new EngineMetrics
        {
            RunningSequences = _scheduler.Running.Count,
            WaitingRequests = _scheduler.WaitingCount,
            MaxWaitingRequests = _options.MaxWaitingRequests,
            KvBlockSize = _cache.BlockSize,
            KvBlocksTotal = allocator.BlockCount,
            KvBlocksUsed = allocator.UsedCount,
            KvBlocksFree = allocator.FreeCount,
            KvBlocksCached = allocator.CachedCount,
            KvCacheBytes = _cache.Bytes,
            RequestsTotal = Interlocked.Read(ref _requests),
            PromptTokensTotal = Interlocked.Read(ref _promptTokens),
            CachedPromptTokensTotal = _scheduler.CachedPromptTokens,
            GeneratedTokensTotal = Interlocked.Read(ref _generatedTokens),
            PreemptionsTotal = _scheduler.Preemptions,
            KvCopyOnWritesTotal = _blocks.CopyOnWrites,
            StepsTotal = _steps,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping = true;
        _wake.Set();
        await _stopped.Task.ConfigureAwait(false);
        _thread.Join();
        while (_incoming.TryDequeue(out var late)) Finish(late, "cancelled", "the engine stopped");
        _runner.Dispose();
        _cache.Dispose();
        _wake.Dispose();
    }
}
