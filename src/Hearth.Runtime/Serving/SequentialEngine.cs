using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Hearth.Core;
using Hearth.Runtime.Generation;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Runtime.Serving;

/// <summary>Settings of a <see cref="SequentialEngine"/>.</summary>
public sealed record SequentialEngineOptions
{
    /// <summary>Requests admitted but not yet running; one more is refused with <see cref="EngineOverloadedException"/>.</summary>
    public int MaxWaitingRequests { get; init; } = 16;

    /// <summary>Name reported by /v1/models; null = the model's folder or file name.</summary>
    public string? ModelName { get; init; }

    /// <summary>The Retry-After hint given with an overload.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Granularity of the KV "blocks" reported in metrics (the cache is one contiguous sequence).</summary>
    public int ReportedBlockSize { get; init; } = 16;
}

/// <summary>
/// The simplest correct <see cref="IInferenceEngine"/>: one request at a time on a worker thread, over one
/// <see cref="Generator"/> whose KV cache keeps the common prefix of consecutive prompts. Requests wait in a
/// bounded FIFO queue. The batching engine replaces it for throughput; this one is the reference behaviour.
/// </summary>
public sealed class SequentialEngine : IInferenceEngine
{
    private sealed class Work(EngineRequest request, CancellationToken callerToken)
    {
        public EngineRequest Request { get; } = request;
        public Channel<EngineEvent> Events { get; } = Channel.CreateUnbounded<EngineEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // Cancelled by the caller's token or when the reader stops early (client gone).
        public CancellationTokenSource Abandon { get; } = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        public long SubmittedAt { get; } = Stopwatch.GetTimestamp();
    }

    private readonly HearthModel _model;
    private readonly bool _ownsModel;
    private readonly SequentialEngineOptions _options;
    private readonly Generator _generator;
    private readonly BlockingCollection<Work> _queue = new(new ConcurrentQueue<Work>());
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Thread _worker;
    private int _admitted, _running, _cachedLength;
    private long _requests, _promptTokens, _cachedPromptTokens, _generatedTokens, _steps;
    private bool _disposed;

    public SequentialEngine(HearthModel model, SequentialEngineOptions? options = null, bool ownsModel = false)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? new SequentialEngineOptions();
        if (_options.MaxWaitingRequests < 0) throw new HearthException($"max waiting requests must be >= 0 (got {_options.MaxWaitingRequests})");
        if (_options.ReportedBlockSize <= 0) throw new HearthException($"reported block size must be positive (got {_options.ReportedBlockSize})");
        _ownsModel = ownsModel;
        _generator = model.CreateGenerator();
        ModelName = _options.ModelName ?? DefaultName(model.Name);
        _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "hearth-sequential-engine" };
        _worker.Start();
    }

    public string ModelName { get; }
    public ITokenizer Tokenizer => _model.Tokenizer;
    public ChatTemplate? ChatTemplate => _model.ChatTemplate;
    public int ContextLength => _generator.ContextLength;

    /// <summary>"models/hearth-tiny" -> "hearth-tiny", "x/model.gguf" -> "model".</summary>
    public static string DefaultName(string path)
    {
        var trimmed = path.TrimEnd('/', '\\');
        var name = Path.GetFileName(trimmed);
        if (name.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) name = name[..^5];
        return name.Length == 0 ? "hearth" : name;
    }

    public IAsyncEnumerable<EngineEvent> Submit(EngineRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Validate(request);
        cancellationToken.ThrowIfCancellationRequested();

        // Admitted = running (at most one) + waiting.
        if (Interlocked.Increment(ref _admitted) > _options.MaxWaitingRequests + 1)
        {
            Interlocked.Decrement(ref _admitted);
            throw new EngineOverloadedException(
                $"the server is busy: {_options.MaxWaitingRequests} requests are already waiting; retry later", _options.RetryAfter);
        }
        var work = new Work(request, cancellationToken);
        try
        {
            _queue.Add(work);
        }
        catch (InvalidOperationException)
        {
            Interlocked.Decrement(ref _admitted);
            throw new ObjectDisposedException(nameof(SequentialEngine));
        }
        return Read(work, cancellationToken);
    }

    private void Validate(EngineRequest request)
    {
        if (request.PromptIds is null || request.PromptIds.Count == 0) throw new HearthException("prompt: no prompt tokens given");
        int vocab = _model.GenerativeModel.Config.VocabSize;
        foreach (int id in request.PromptIds)
            if ((uint)id >= (uint)vocab) throw new HearthException($"prompt: token id {id} is outside the vocabulary of {vocab} tokens");
        if (request.PromptIds.Count + 1 > ContextLength) throw new PromptTooLongException(request.PromptIds.Count, ContextLength);
        if (request.MaxNewTokens is < 0) throw new HearthException($"max_tokens must be >= 0 (got {request.MaxNewTokens})");
        if (request.TopLogprobs is < 0 or > 20) throw new HearthException($"top_logprobs must be in [0, 20] (got {request.TopLogprobs})");
        ArgumentNullException.ThrowIfNull(request.Sampling);
        request.Sampling.Validate();
    }

    private static async IAsyncEnumerable<EngineEvent> Read(Work work, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in work.Events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return e;
        }
        finally
        {
            // The reader is gone (done, cancelled or stopped early): the worker stops at its next token.
            await work.Abandon.CancelAsync().ConfigureAwait(false);
        }
    }

    public EngineMetrics GetMetrics()
    {
        int block = _options.ReportedBlockSize;
        int total = (ContextLength + block - 1) / block;
        int held = (Volatile.Read(ref _cachedLength) + block - 1) / block;
        bool running = Volatile.Read(ref _running) > 0;
        return new EngineMetrics
        {
            RunningSequences = Volatile.Read(ref _running),
            WaitingRequests = Math.Max(0, Volatile.Read(ref _admitted) - Volatile.Read(ref _running)),
            MaxWaitingRequests = _options.MaxWaitingRequests,
            KvBlockSize = block,
            KvBlocksTotal = total,
            KvBlocksUsed = running ? held : 0,
            KvBlocksCached = running ? 0 : held,
            KvBlocksFree = total - held,
            KvCacheBytes = KvBytes(),
            RequestsTotal = Interlocked.Read(ref _requests),
            PromptTokensTotal = Interlocked.Read(ref _promptTokens),
            CachedPromptTokensTotal = Interlocked.Read(ref _cachedPromptTokens),
            GeneratedTokensTotal = Interlocked.Read(ref _generatedTokens),
            StepsTotal = Interlocked.Read(ref _steps),
        };
    }

    private long KvBytes()
    {
        var c = _model.GenerativeModel.Config;
        // keys and values, f32, every layer
        return 2L * c.LayerCount * c.KvHeadCount * c.HeadDim * sizeof(float) * ContextLength;
    }

    private void WorkerLoop()
    {
        try
        {
            foreach (var work in _queue.GetConsumingEnumerable(_shutdown.Token))
            {
                Interlocked.Increment(ref _running);
                try
                {
                    Run(work);
                }
                catch (Exception e)
                {
                    // The request fails, the engine keeps serving: the next SetSequence rebuilds the cache.
                    work.Events.Writer.TryComplete(e is HearthException ? e : new HearthException($"generation failed: {e.Message}", e));
                    try { _generator.Reset(); } catch (HearthException) { }
                    Volatile.Write(ref _cachedLength, 0);
                }
                finally
                {
                    Interlocked.Decrement(ref _running);
                    Interlocked.Decrement(ref _admitted);
                    // Abandon is not disposed: the reader may still cancel it; it holds no unmanaged resource
                    // beyond its link to the caller's token, which ends with the request.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // shutdown
        }
    }

    private void Run(Work work)
    {
        var request = work.Request;
        var token = work.Abandon.Token;
        var writer = work.Events.Writer;
        int[] prompt = [.. request.PromptIds];
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _promptTokens, prompt.Length);
        if (token.IsCancellationRequested)
        {
            Finish(writer, "cancelled", "cancelled while waiting", prompt.Length, 0, 0, null, work.SubmittedAt);
            return;
        }

        int cached = CommonPrefix(_generator.Tokens, prompt);
        Interlocked.Add(ref _cachedPromptTokens, cached);
        _generator.Sampling = request.Sampling;
        _generator.MaxNewTokens = request.MaxNewTokens;
        _generator.StopStrings = request.StopStrings;
        _generator.IgnoreEos = request.IgnoreEos;
        _generator.SkipSpecialTokens = request.SkipSpecialTokens;
        _generator.KeepLogits = request.Logprobs || request.TopLogprobs > 0;  // logprobs read the whole rows
        _generator.SetSequence(prompt);
        Interlocked.Increment(ref _steps);
        Volatile.Write(ref _cachedLength, _generator.Tokens.Count);

        int generated = 0;
        TimeSpan? ttft = null;
        while (!_generator.IsDone)
        {
            if (token.IsCancellationRequested)
            {
                Finish(writer, "cancelled", "cancelled by the client", prompt.Length, generated, cached, ttft, work.SubmittedAt);
                return;
            }
            var next = _generator.GenerateNextToken();
            Interlocked.Increment(ref _steps);
            Interlocked.Increment(ref _generatedTokens);
            Volatile.Write(ref _cachedLength, _generator.Tokens.Count);
            generated++;
            ttft ??= Stopwatch.GetElapsedTime(work.SubmittedAt);
            var e = new EngineEvent(next.Id, next.Text);
            if (request.Logprobs || request.TopLogprobs > 0) e = WithLogprobs(e, _generator.Logits, next.Id, request.TopLogprobs);
            writer.TryWrite(e);
        }
        string reason = _generator.StopReason is StopReason.MaxTokens or StopReason.ContextFull ? "length" : "stop";
        Finish(writer, reason, _generator.StopMessage ?? reason, prompt.Length, generated, cached, ttft, work.SubmittedAt);
    }

    private static void Finish(ChannelWriter<EngineEvent> writer, string reason, string message, int promptTokens, int generated, int cached,
        TimeSpan? ttft, long submittedAt)
    {
        var total = Stopwatch.GetElapsedTime(submittedAt);
        writer.TryWrite(new EngineEvent(-1, "") { Finish = new EngineFinish(reason, message, promptTokens, generated, cached, ttft ?? total, total) });
        writer.TryComplete();
    }

    private static int CommonPrefix(IReadOnlyList<int> cached, int[] prompt)
    {
        int n = Math.Min(cached.Count, prompt.Length);
        int common = 0;
        while (common < n && cached[common] == prompt[common]) common++;
        // The last prompt token always runs again to give fresh logits (Generator.SetSequence).
        return Math.Min(common, prompt.Length - 1);
    }

    /// <summary>Log-softmax of the raw logits: the chosen token's value and the <paramref name="top"/> best.</summary>
    public static EngineEvent WithLogprobs(EngineEvent e, ReadOnlySpan<float> logits, int id, int top)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) if (v > max) max = v;
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        float logZ = max + (float)Math.Log(sum);
        float chosen = logits[id] - logZ;
        IReadOnlyList<TokenLogprob>? alternatives = null;
        if (top > 0)
            alternatives = [.. HearthModel.TopOf(logits, top).Select(t => new TokenLogprob(t.Id, t.Logit - logZ))];
        return e with { Logprob = chosen, TopLogprobs = alternatives };
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        _queue.CompleteAdding();
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await Task.Run(() => _worker.Join()).ConfigureAwait(false);
        while (_queue.TryTake(out var left))
            left.Events.Writer.TryComplete(new ObjectDisposedException(nameof(SequentialEngine), "the engine shut down"));
        _generator.Dispose();
        _queue.Dispose();
        _shutdown.Dispose();
        if (_ownsModel) _model.Dispose();
    }
}
