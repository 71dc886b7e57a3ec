namespace Hearth.Runtime.Generation;

/// <summary>Timings of one generation turn (from the last AppendTokens to now).</summary>
public sealed record GenerationTimings
{
    /// <summary>Tokens processed by the prefill step(s) of this turn.</summary>
    public int PrefillTokens { get; init; }
    public TimeSpan PrefillTime { get; init; }
    /// <summary>Tokens processed one at a time (each generated token fed back).</summary>
    public int DecodeTokens { get; init; }
    public TimeSpan DecodeTime { get; init; }
    /// <summary>Time spent compiling step graphs (included in TTFT, excluded from the prefill/decode times).</summary>
    public TimeSpan CompileTime { get; init; }
    /// <summary>Time from the start of the turn to the first sampled token.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }
    /// <summary>Tokens sampled in this turn.</summary>
    public int GeneratedTokens { get; init; }
    public TimeSpan SampleTime { get; init; }

    public double PrefillTokensPerSecond => Rate(PrefillTokens, PrefillTime);
    public double DecodeTokensPerSecond => Rate(DecodeTokens, DecodeTime);

    private static double Rate(int tokens, TimeSpan time) => tokens == 0 || time <= TimeSpan.Zero ? 0 : tokens / time.TotalSeconds;
}
