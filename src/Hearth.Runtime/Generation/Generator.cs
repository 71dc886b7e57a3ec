using System.Diagnostics;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Runtime.KvCache;
using Hearth.Runtime.Sampling;
using Hearth.Tokenizers;

namespace Hearth.Runtime.Generation;

/// <summary>
/// Pull-style generation over one sequence (onnxruntime-genai style): <see cref="AppendTokens"/>
/// runs prefill, <see cref="GenerateNextToken"/> samples one token and returns the text it made
/// ready, <see cref="IsDone"/> says when a stop condition hit. A turn starts at each AppendTokens:
/// max-token counting, stop strings and timings are per turn; the sequence and cache persist.
/// Not thread-safe.
/// </summary>
public sealed class Generator : IDisposable
{
    private readonly IGenerativeModel _model;
    private readonly IComputeDevice _device;
    private readonly GeneratorOptions _options;
    private readonly IKvCache _cache;
    private readonly StepRunner _steps;
    private readonly List<int> _tokens = [];
    private readonly HashSet<int> _eosIds;
    private readonly float[] _logits;
    private readonly float[] _topK;  // the last candidates step's OpKind.TopK row
    private bool _logitsRead;         // _logits holds the last step's row
    private Sampler _sampler;
    private SamplerOptions _sampling;
    private IReadOnlyList<string> _stopStrings;
    private TokenEmitter _emitter;
    private bool _logitsValid;
    private TurnClock _clock = new();
    private bool _disposed;

    public Generator(IGenerativeModel model, IComputeDevice device, GeneratorOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _options = options ?? new GeneratorOptions();
        if (_options.PrefillChunkSize <= 0) throw new HearthException($"prefill chunk size must be positive (got {_options.PrefillChunkSize})");
        if (_options.MaxNewTokens is < 0) throw new HearthException($"max new tokens must be >= 0 (got {_options.MaxNewTokens})");

        var config = model.Config;
        int capacity = _options.ContextLength ?? Math.Min(config.ContextLength, GeneratorOptions.DefaultContextCap);
        if (capacity <= 0) throw new HearthException($"context length must be positive (got {capacity})");
        if (capacity > config.ContextLength)
            throw new HearthException($"context length {capacity} exceeds the model's maximum of {config.ContextLength} tokens");

        _eosIds = [.. model.EosIds];
        _logits = new float[config.VocabSize];
        _cache = ContiguousKvCache.For(device, config, capacity);
        int topK = _options.DeviceTopK ?? DefaultDeviceTopKFor(device);
        if (topK < 0 || topK > Compute.TopKParams.MaxK)
            throw new HearthException($"device top-k must be in [0, {Compute.TopKParams.MaxK}] (got {topK})");
        _topK = new float[2 * topK + 2];
        _steps = new StepRunner(model, device, _cache, _options.MaxCachedExecutables, topK);
        _sampling = _options.Sampling;
        _sampler = new Sampler(_sampling);
        _stopStrings = _options.StopStrings;
        _emitter = new TokenEmitter(model.Tokenizer, _eosIds, _stopStrings, _options.SkipSpecialTokens);
        MaxNewTokens = _options.MaxNewTokens;
        IgnoreEos = _options.IgnoreEos;
        SkipSpecialTokens = _options.SkipSpecialTokens;
    }

    public IGenerativeModel Model => _model;
    public IKvCache Cache => _cache;
    public int ContextLength => _cache.Capacity;

    /// <summary>The whole sequence: every appended and generated token.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Tokens generated since the last AppendTokens / RewindTo.</summary>
    public int GeneratedTokenCount => _emitter.Generated;

    public bool IsDone => StopReason is not null;
    public StopReason? StopReason => _emitter.StopReason;

    /// <summary>A sentence explaining the stop (e.g. which limit was hit), or null while running.</summary>
    public string? StopMessage => _emitter.StopMessage;

    /// <summary>Raw logits (before penalties) the last sampled token was drawn from, or that the next will be drawn from.
    /// On a device that samples from its own top-k candidates, set <see cref="KeepLogits"/> before generating to read
    /// them (otherwise the row stays on the device and this throws).</summary>
    public ReadOnlySpan<float> Logits
    {
        get
        {
            if (!_logitsRead && _steps.LastWasCandidates)
                throw new InvalidOperationException("this step's logits stayed on the device (top-k candidates were read instead): set KeepLogits before generating");
            EnsureLogitsRead();
            return _logits;
        }
    }

    /// <summary>Bring every step's whole logits row back (callers that read <see cref="Logits"/>: logprobs, top logits).</summary>
    public bool KeepLogits { get; set; }

    /// <summary>Whether the steps return device-computed top-k candidates for the current sampling options.</summary>
    public bool SamplesOnDevice => !KeepLogits && _steps.TopK > 0 && _sampler.CanSampleFromTopK(_steps.TopK);

    public GenerationTimings Timings => _clock.Snapshot();

    /// <summary>Sampling settings for the following tokens.</summary>
    public SamplerOptions Sampling
    {
        get => _sampling;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _sampler = new Sampler(value);
            _sampling = value;
        }
    }

    /// <summary>New tokens per turn; null = no limit besides the context.</summary>
    public int? MaxNewTokens { get; set; }

    /// <summary>Keep generating past EOS tokens (benchmarks, golden comparisons).</summary>
    public bool IgnoreEos { get; set; }

    /// <summary>Leave special tokens out of the streamed text (takes effect at the next turn).</summary>
    public bool SkipSpecialTokens { get; set; }

    /// <summary>Stop strings for the following turns (takes effect at the next AppendTokens / RewindTo).</summary>
    public IReadOnlyList<string> StopStrings
    {
        get => _stopStrings;
        set => _stopStrings = value ?? [];
    }

    /// <summary>Appends tokens to the sequence and runs prefill over every token not yet in the cache.</summary>
    public void AppendTokens(ReadOnlySpan<int> tokens)
    {
        ThrowIfDisposed();
        if (tokens.IsEmpty) throw new HearthException("no tokens to append");
        int vocab = _model.Config.VocabSize;
        foreach (int id in tokens)
            if ((uint)id >= (uint)vocab) throw new HearthException($"token id {id} is outside the vocabulary of {vocab} tokens");
        int total = _tokens.Count + tokens.Length;
        if (total > _cache.Capacity)
        {
            throw new HearthException(_tokens.Count == 0
                ? $"the prompt has {tokens.Length} tokens but the context holds only {_cache.Capacity}"
                : $"the sequence would reach {total} tokens ({_tokens.Count} so far + {tokens.Length} new) but the context holds only {_cache.Capacity}");
        }

        StartTurn();
        _tokens.AddRange(tokens);
        FeedPending(isPrefill: true);
        if (_tokens.Count >= _cache.Capacity) StopForFullContext();
        else if (MaxNewTokens == 0) Stop(Generation.StopReason.MaxTokens, "reached the limit of 0 new tokens");
    }

    /// <summary>Replaces the sequence with <paramref name="tokens"/>, keeping the cache of the longest common prefix.</summary>
    public void SetSequence(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty) throw new HearthException("no tokens to generate from");
        int common = 0;
        int limit = Math.Min(tokens.Length, _cache.Length);
        while (common < limit && _tokens[common] == tokens[common]) common++;
        // At least one token must run to produce fresh logits for the next position.
        if (common == tokens.Length) common--;
        RewindTo(common);
        AppendTokens(tokens[common..]);
    }

    /// <summary>Samples the next token (feeding back the previous one first) and checks the stop conditions.</summary>
    public GeneratedToken GenerateNextToken()
    {
        ThrowIfDisposed();
        if (IsDone) throw new InvalidOperationException($"generation is done ({StopReason}); append tokens or rewind first");
        if (_tokens.Count == 0) throw new InvalidOperationException("nothing to generate from: append tokens first");
        if (!_logitsValid && _cache.Length == _tokens.Count)
            _cache.TruncateTo(_tokens.Count - 1); // logits went stale (rewind): recompute the last position
        FeedPending(isPrefill: false);

        long start = Stopwatch.GetTimestamp();
        int id;
        if (_steps.LastWasCandidates && SamplesOnDevice)
        {
            _steps.ReadTopK(_topK);
            id = _sampler.SampleTopKRow(_topK);
        }
        else
        {
            if (_steps.LastWasCandidates) RunLastAgain();
            EnsureLogitsRead();
            id = _sampler.Sample(_logits, CollectionsMarshalSpan());
        }
        _clock.AddSample(Stopwatch.GetElapsedTime(start));
        _tokens.Add(id);
        _logitsValid = false;
        _clock.AddGenerated();
        return new GeneratedToken(id, _emitter.Accept(id, IgnoreEos, MaxNewTokens, _tokens.Count, _cache.Capacity));
    }

    /// <summary>Forgets the tokens at positions &gt;= <paramref name="length"/> and starts a new turn.</summary>
    public void RewindTo(int length)
    {
        ThrowIfDisposed();
        if (length < 0 || length > _tokens.Count)
            throw new HearthException($"cannot rewind to {length} tokens: the sequence has {_tokens.Count}");
        if (length < _tokens.Count) _logitsValid = false;
        _tokens.RemoveRange(length, _tokens.Count - length);
        if (_cache.Length > length) _cache.TruncateTo(length);
        StartTurn();
    }

    /// <summary>Empties the sequence and the cache.</summary>
    public void Reset() => RewindTo(0);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _steps.Dispose();
        _cache.Dispose();
    }

    private ReadOnlySpan<int> CollectionsMarshalSpan() => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens);

    private void StartTurn()
    {
        _clock = new TurnClock();
        _emitter = new TokenEmitter(_model.Tokenizer, _eosIds, _stopStrings, SkipSpecialTokens);
    }

    /// <summary>Runs every token not yet in the cache, in chunks, leaving the last token's logits.</summary>
    private void FeedPending(bool isPrefill)
    {
        var all = CollectionsMarshalSpan();
        while (_cache.Length < all.Length)
        {
            int start = _cache.Length;
            int count = Math.Min(all.Length - start, _options.PrefillChunkSize);
            var elapsed = _steps.Run(all.Slice(start, count), start, SamplesOnDevice, out var compileTime);
            _clock.AddStep(isPrefill || count > 1, count, elapsed, compileTime);
            _logitsValid = true;
            _logitsRead = false;
        }
    }

    /// <summary>Device top-k candidates by default: <see cref="GeneratorOptions.DefaultDeviceTopK"/> on GPUs, 0 on CPU
    /// backends and on a Vulkan driver that runs on the CPU such as lavapipe (the row is already in host memory there and
    /// the extra op only costs).</summary>
    internal static int DefaultDeviceTopKFor(IComputeDevice device) =>
        device.BackendName == "cuda" || device is Hearth.Backends.Vulkan.VulkanDevice { Info.IsGpu: true } ? GeneratorOptions.DefaultDeviceTopK : 0;

    private void EnsureLogitsRead()
    {
        if (_logitsRead || !_logitsValid) return;
        _steps.ReadLogits(_logits);
        _logitsRead = true;
    }

    // The sampling options changed after a candidates step: run the last position again, returning the whole row.
    private void RunLastAgain()
    {
        _cache.TruncateTo(_tokens.Count - 1);
        var elapsed = _steps.Run(CollectionsMarshalSpan()[^1..], _tokens.Count - 1, candidates: false, out var compileTime);
        _clock.AddStep(false, 1, elapsed, compileTime);
        _logitsRead = false;
    }

    private void StopForFullContext() => _emitter.StopForFullContext(_cache.Capacity);

    private void Stop(StopReason reason, string message) => _emitter.Stop(reason, message);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
