namespace Hearth.Runtime.Benchmarking;

public enum BenchTestKind
{
    /// <summary>pp: prompt processing, one batch.</summary>
    Prompt,
    /// <summary>tg: single-token steps from an empty context, fixed token ids.</summary>
    Generation,
    /// <summary>decode: 1-token prompt, then greedy generation through the Generator.</summary>
    Decode,
    /// <summary>tg x B: B sequences decoding together through the batching engine.</summary>
    Parallel,
}

/// <summary>One test's repetitions and the figures derived from them.</summary>
public sealed record BenchTestResult
{
    /// <summary>"pp512", "tg128", "decode-512"; at a depth "pp512 @ d4096", "tg128 @ d4096" (llama-bench's names).</summary>
    public required string Name { get; init; }
    public required BenchTestKind Kind { get; init; }
    /// <summary>Tokens already in the KV cache when the timed part starts (<see cref="BenchOptions.Depth"/>; 0 for decode;
    /// the prompt's tokens for a parallel test).</summary>
    public int Depth { get; init; }
    /// <summary>Sequences decoding together (parallel tests; 1 for the others).</summary>
    public int Batch { get; init; } = 1;
    /// <summary>Tokens the rate counts per repetition (P, N, D - 1 decode steps, or B x (N - 1) for a parallel test).</summary>
    public required int Tokens { get; init; }
    /// <summary>Seconds of each repetition (for decode: the decode part, after the first token).</summary>
    public required IReadOnlyList<double> Seconds { get; init; }
    public required MeanSd TokensPerSecond { get; init; }
    public required MeanSd MillisecondsPerToken { get; init; }
    /// <summary>Weight bytes read per token: the per-token bytes for tg/decode, the bytes divided by P for a P-token batch.</summary>
    public required double WeightBytesPerToken { get; init; }
    /// <summary>Weight bytes read per token x tokens/s, in GB/s (1e9).</summary>
    public required MeanSd GigabytesPerSecond { get; init; }
    /// <summary>FLOPs per token (matmuls + attention, averaged over the test's positions).</summary>
    public required double FlopsPerToken { get; init; }
    public required MeanSd FlopsPerSecond { get; init; }
    /// <summary>FLOPs per weight byte read.</summary>
    public required double ArithmeticIntensity { get; init; }
    /// <summary>% of roofline as docs/performance.md defines it: GB/s over the measured read bandwidth.</summary>
    public required double RooflinePercent { get; init; }
    /// <summary>Achieved FLOP/s over the measured FMA peak, in percent.</summary>
    public required double ComputePercent { get; init; }
    /// <summary>Achieved FLOP/s over the roofline at this intensity, min(peak, bandwidth x intensity), in percent:
    /// the bandwidth figure for bandwidth-bound tests, the compute figure for the others.</summary>
    public required double AttainablePercent { get; init; }
    /// <summary>Whether the roofline at this intensity is the bandwidth line (true) or the compute ceiling.</summary>
    public required bool BandwidthBound { get; init; }
    /// <summary>decode: time to first token (prompt step + first sample); parallel: until the last sequence's first token.</summary>
    public MeanSd? TimeToFirstTokenMs { get; init; }
    /// <summary>decode: time per output token = (latency - TTFT) / (tokens - 1); parallel: each sequence's, averaged.</summary>
    public MeanSd? TimePerOutputTokenMs { get; init; }
}

/// <summary>Everything `hearth bench` measured.</summary>
public sealed record BenchReport
{
    public required string ModelPath { get; init; }
    /// <summary>llama-bench style label: "llama 1.1B Q8_0".</summary>
    public required string ModelLabel { get; init; }
    public required string Architecture { get; init; }
    public required ModelCost Cost { get; init; }
    public required string Backend { get; init; }
    public required string DeviceDescription { get; init; }
    /// <summary>Threads the backend was given; null when it takes no thread count (it uses its own default).</summary>
    public required int? BackendThreads { get; init; }
    /// <summary>Threads of the bandwidth and FLOP/s probes.</summary>
    public required int ProbeThreads { get; init; }
    public required int Repetitions { get; init; }
    public required BandwidthMeasurement Bandwidth { get; init; }
    public required FlopsMeasurement PeakFlops { get; init; }
    public required IReadOnlyList<BenchTestResult> Tests { get; init; }
    /// <summary>Tests left out (they do not fit the model's context), with the reason.</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>Assemblies built without JIT optimisation (a Debug build): their figures are not representative.</summary>
    public IReadOnlyList<string> UnoptimizedAssemblies { get; init; } = [];
}
