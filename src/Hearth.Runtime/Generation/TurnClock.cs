using System.Diagnostics;

namespace Hearth.Runtime.Generation;

/// <summary>Accumulates the timings of one generation turn.</summary>
internal sealed class TurnClock
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private int _prefillTokens, _decodeTokens, _generated;
    private TimeSpan _prefill, _decode, _compile, _sample;
    private TimeSpan? _firstToken;

    public void AddStep(bool prefill, int tokens, TimeSpan elapsed, TimeSpan compile)
    {
        _compile += compile;
        if (prefill) { _prefillTokens += tokens; _prefill += elapsed; }
        else { _decodeTokens += tokens; _decode += elapsed; }
    }

    public void AddSample(TimeSpan elapsed) => _sample += elapsed;

    public void AddGenerated()
    {
        _generated++;
        _firstToken ??= Stopwatch.GetElapsedTime(_start);
    }

    public GenerationTimings Snapshot() => new()
    {
        PrefillTokens = _prefillTokens,
        PrefillTime = _prefill,
        DecodeTokens = _decodeTokens,
        DecodeTime = _decode,
        CompileTime = _compile,
        TimeToFirstToken = _firstToken,
        GeneratedTokens = _generated,
        SampleTime = _sample,
    };
}
