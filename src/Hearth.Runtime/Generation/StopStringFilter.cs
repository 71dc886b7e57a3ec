namespace Hearth.Runtime.Generation;

/// <summary>
/// Streams text while watching for stop strings. Text that could still turn into a stop string
/// is held back; when a stop string appears, only the text before it is released and the stop
/// string itself never is.
/// </summary>
public sealed class StopStringFilter
{
    private readonly string[] _stops;
    private string _pending = "";

    public StopStringFilter(IEnumerable<string>? stopStrings)
    {
        _stops = stopStrings?.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToArray() ?? [];
    }

    /// <summary>Whether a stop string has been seen; after that every push returns "".</summary>
    public bool Matched { get; private set; }

    /// <summary>The stop string that matched, if any.</summary>
    public string? MatchedStop { get; private set; }

    /// <summary>Adds text; returns the text that is now safe to emit.</summary>
    public string Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Matched) return "";
        if (_stops.Length == 0) return text;
        _pending += text;

        int first = -1;
        foreach (var stop in _stops)
        {
            int at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
                MatchedStop = stop;
            }
        }
        if (first >= 0)
        {
            Matched = true;
            var before = _pending[..first];
            _pending = "";
            return before;
        }

        int hold = LongestSuffixThatStartsAStop(_pending);
        var release = _pending[..^hold];
        _pending = _pending[^hold..];
        return release;
    }

    /// <summary>At the end of generation (no stop string matched): the held-back text.</summary>
    public string Flush()
    {
        var rest = Matched ? "" : _pending;
        _pending = "";
        return rest;
    }

    public void Reset()
    {
        _pending = "";
        Matched = false;
        MatchedStop = null;
    }

    private int LongestSuffixThatStartsAStop(string text)
    {
        int best = 0;
        foreach (var stop in _stops)
        {
            for (int length = Math.Min(stop.Length - 1, text.Length); length > best; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    best = length;
                    break;
                }
            }
        }
        return best;
    }
}
