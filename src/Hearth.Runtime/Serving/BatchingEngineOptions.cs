using Hearth.Core;

namespace Hearth.Runtime.Serving;

/// <summary>Settings of a <see cref="BatchingEngine"/>.</summary>
public sealed record BatchingEngineOptions
{
    /// <summary>Tokens per KV block.</summary>
    public int BlockSize { get; init; } = 16;

    /// <summary>KV cache budget in bytes; null = <see cref="KvMemoryFraction"/> of the memory available now.</summary>
    public long? KvCacheBytes { get; init; }

    /// <summary>Share of the available memory (Linux: MemAvailable of /proc/meminfo) the KV cache takes when
    /// <see cref="KvCacheBytes"/> is not set.</summary>
    public double KvMemoryFraction { get; init; } = 0.5;

    /// <summary>Storage of the KV cache: F32 (the default; greedy results equal the single-sequence Generator's) or F16
    /// (half the memory; each key and value rounded to half precision).</summary>
    public TensorType KvCacheType { get; init; } = TensorType.F32;

    /// <summary>Tokens one sequence may hold; null = the model's context, at most 4096 and at most what the KV budget holds.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Tokens computed per step over all sequences (decodes first, then chunks of prefill).</summary>
    public int MaxTokensPerStep { get; init; } = 512;

    /// <summary>Sequences running at once (at most <see cref="MaxTokensPerStep"/>: each decodes one token per step).</summary>
    public int MaxSequences { get; init; } = 64;

    /// <summary>
    /// Requests that may wait for a free one of the <see cref="MaxSequences"/> slots; a request past both gets
    /// <see cref="EngineOverloadedException"/>.
    /// </summary>
    public int MaxWaitingRequests { get; init; } = 256;

    /// <summary>Reuse the KV blocks of identical token prefixes across requests.</summary>
    public bool PrefixCaching { get; init; } = true;

    /// <summary>Compiled step executables kept (one per distinct (tokens, logit rows) shape).</summary>
    public int MaxCompiledSteps { get; init; } = 16;

    /// <summary>Candidates a step computes on the device (OpKind.TopK) so that, when every sequence sampling in it can draw
    /// exactly from them and none asks for logprobs, only they come back instead of vocabulary-sized rows; 0 = always
    /// the rows. Null = as <see cref="Generation.GeneratorOptions.DeviceTopK"/> (on GPUs only).</summary>
    public int? DeviceTopK { get; init; }

    /// <summary>Name reported as the model id; null = the name given to the engine.</summary>
    public string? ModelName { get; init; }

    /// <summary>Throws <see cref="HearthException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (BlockSize is <= 0 or > 4096) throw new HearthException($"KV block size must be in 1..4096 (got {BlockSize})");
        if (KvCacheBytes is <= 0) throw new HearthException($"KV cache memory must be positive (got {KvCacheBytes} bytes)");
        if (!(KvMemoryFraction > 0 && KvMemoryFraction <= 1)) throw new HearthException($"KV memory fraction must be in (0, 1] (got {KvMemoryFraction})");
        if (KvCacheType is not (TensorType.F32 or TensorType.F16)) throw new HearthException($"KV cache type must be F32 or F16 (got {KvCacheType})");
        if (ContextLength is <= 1) throw new HearthException($"context length must be at least 2 (got {ContextLength})");
        if (MaxTokensPerStep <= 0) throw new HearthException($"tokens per step must be positive (got {MaxTokensPerStep})");
        if (MaxSequences <= 0) throw new HearthException($"max sequences must be positive (got {MaxSequences})");
        if (MaxWaitingRequests < 0) throw new HearthException($"max waiting requests must be >= 0 (got {MaxWaitingRequests})");
        if (MaxCompiledSteps <= 0) throw new HearthException($"compiled step cache must hold at least one step (got {MaxCompiledSteps})");
    }
}
