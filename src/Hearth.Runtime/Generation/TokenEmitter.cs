using Hearth.Tokenizers;

namespace Hearth.Runtime.Generation;

/// <summary>
/// What happens to each sampled token of one sequence, shared by <see cref="Generator"/> and the batching engine:
/// EOS check, streaming detokenization, stop strings (text that could still become one is held back; the stop string
/// itself is never emitted), the max-new-tokens and context limits. One instance per turn / request. Not thread-safe.
/// </summary>
public sealed class TokenEmitter
{
    private readonly IReadOnlySet<int> _eosIds;
    private readonly StopStringFilter _stopFilter;
    private readonly StreamingDetokenizer _detokenizer;

    public TokenEmitter(ITokenizer tokenizer, IReadOnlySet<int> eosIds, IReadOnlyList<string> stopStrings, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _eosIds = eosIds ?? throw new ArgumentNullException(nameof(eosIds));
        _stopFilter = new StopStringFilter(stopStrings);
        _detokenizer = tokenizer.CreateStreamingDetokenizer(skipSpecialTokens);
    }

    /// <summary>Tokens accepted so far.</summary>
    public int Generated { get; private set; }

    public StopReason? StopReason { get; private set; }

    /// <summary>A sentence explaining the stop, or null while running.</summary>
    public string? StopMessage { get; private set; }

    public bool IsDone => StopReason is not null;

    /// <summary>
    /// Takes a sampled token; returns the text it made ready (held-back text is released when the sequence stops).
    /// <paramref name="sequenceLength"/> counts the whole sequence including this token.
    /// </summary>
    public string Accept(int id, bool ignoreEos, int? maxNewTokens, int sequenceLength, int contextLength)
    {
        Generated++;
        string text;
        if (_eosIds.Contains(id) && !ignoreEos)
        {
            text = FinishText();
            if (StopReason is null) Stop(Generation.StopReason.Eos, $"end-of-sequence token {id}");
            return text;
        }

        text = _stopFilter.Push(_detokenizer.Push(id));
        if (_stopFilter.Matched)
            Stop(Generation.StopReason.StopString, $"stop string \"{_stopFilter.MatchedStop}\"");
        else if (maxNewTokens is int max && Generated >= max)
            Stop(Generation.StopReason.MaxTokens, $"reached the limit of {max} new tokens");
        else if (sequenceLength >= contextLength)
            StopForFullContext(contextLength);
        if (IsDone && StopReason != Generation.StopReason.StopString) text += FinishText();
        return text;
    }

    public void StopForFullContext(int contextLength) =>
        Stop(Generation.StopReason.ContextFull, $"the sequence filled the context of {contextLength} tokens");

    public void Stop(StopReason reason, string message)
    {
        StopReason = reason;
        StopMessage = message;
    }

    private string FinishText()
    {
        var rest = _stopFilter.Push(_detokenizer.Flush());
        if (_stopFilter.Matched)
        {
            Stop(Generation.StopReason.StopString, $"stop string \"{_stopFilter.MatchedStop}\"");
            return rest;
        }
        return rest + _stopFilter.Flush();
    }
}
