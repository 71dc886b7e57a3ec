namespace Hearth.Runtime.Benchmarking;

/// <summary>What `hearth bench` runs (llama-bench semantics; 0 tokens skips a test).</summary>
public sealed record BenchOptions
{
    public string Backend { get; init; } = "cpu-ref";

    /// <summary>Threads passed to backends that take a thread count, and used by the bandwidth and FLOP/s probes.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>pp&lt;P&gt;: a P-token prompt processed as one batch.</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>tg&lt;N&gt;: N tokens run one at a time from an empty context.</summary>
    public int GenerationTokens { get; init; } = 128;

    /// <summary>decode-&lt;D&gt;: a 1-token prompt, then D tokens generated (greedy), as MLC measures.</summary>
    public int DecodeTokens { get; init; } = 512;

    public int Repetitions { get; init; } = 5;

    /// <summary>
    /// tg&lt;N&gt; x&lt;B&gt; for each B here (llama-batched-bench's -npl): B sequences at once through the batching engine, each
    /// a <see cref="ParallelPromptTokens"/>-token prompt then N = <see cref="GenerationTokens"/> tokens. Empty: none.
    /// </summary>
    public IReadOnlyList<int> Parallel { get; init; } = [];

    /// <summary>Prompt tokens of each sequence of the <see cref="Parallel"/> tests.</summary>
    public int ParallelPromptTokens { get; init; } = 16;

    /// <summary>
    /// Tokens put in the KV cache (untimed) before each pp and tg run, so they measure prefill and decode at that depth
    /// of context (llama-bench's -d / --n-depth). decode-&lt;D&gt; always starts from an empty cache.
    /// </summary>
    public int Depth { get; init; }

    /// <summary><see cref="Generation.GeneratorOptions.DeviceTopK"/> of the benchmarked generator (null: the backend's default).</summary>
    public int? DeviceTopK { get; init; }

    /// <summary>Bytes the bandwidth probe streams; 0 = several times the last-level cache.</summary>
    public long BandwidthBufferBytes { get; init; }

    /// <summary>Tests left out with a note, instead of failing, when they do not fit the model's context
    /// (the CLI puts the tests whose size the user did not choose here).</summary>
    public IReadOnlySet<BenchTestKind> SkipIfTooLong { get; init; } = new HashSet<BenchTestKind>();

    /// <summary>Seconds per run of the compute-ceiling probe (best of 3).</summary>
    public double PeakFlopsSeconds { get; init; } = 0.1;
}
