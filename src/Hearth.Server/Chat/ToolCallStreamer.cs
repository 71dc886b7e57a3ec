namespace Hearth.Server.Chat;

/// <summary>
/// Streams content while tools are offered: text that may be the start of a tool call is held back until it is
/// clearly content (then released) or the generation ends (then parsed with <see cref="ToolCallParser"/>).
/// </summary>
public sealed class ToolCallStreamer
{
    private readonly System.Text.StringBuilder _held = new();
    private bool _content; // decided: streaming plain content (still watching for a Hermes <tool_call>)

    /// <summary>Adds generated text; returns the content that can be streamed now.</summary>
    public string Push(string text)
    {
        _held.Append(text);
        var held = _held.ToString();
        if (!_content)
        {
            var start = held.TrimStart();
            if (start.Length == 0 || MayStartCall(start)) return "";
            _content = true;
        }
        // Content mode: release everything except a possible beginning of "<tool_call>"; after one, hold the rest.
        int open = held.IndexOf(ToolCallParser.HermesOpen, StringComparison.Ordinal);
        if (open >= 0)
        {
            _held.Clear().Append(held, open, held.Length - open);
            return held[..open];
        }
        int keep = PartialSuffix(held, ToolCallParser.HermesOpen);
        _held.Clear().Append(held, held.Length - keep, keep);
        return held[..^keep];
    }

    /// <summary>At the end: the content still held and the calls parsed from it.</summary>
    public (string? Content, IReadOnlyList<ParsedToolCall> Calls) Finish()
    {
        var held = _held.ToString();
        _held.Clear();
        var (content, calls) = ToolCallParser.Parse(held);
        if (calls.Count == 0) return (held.Length == 0 ? null : held, calls);
        return (content, calls);
    }

    private static bool MayStartCall(string start) =>
        start[0] is '{' or '['
        || IsPrefixOrStart(start, ToolCallParser.PythonTag)
        || IsPrefixOrStart(start, ToolCallParser.HermesOpen);

    private static bool IsPrefixOrStart(string text, string marker) =>
        text.StartsWith(marker, StringComparison.Ordinal) || (text.Length < marker.Length && marker.StartsWith(text, StringComparison.Ordinal));

    private static int PartialSuffix(string text, string marker)
    {
        for (int length = Math.Min(marker.Length - 1, text.Length); length > 0; length--)
            if (text.AsSpan(text.Length - length).SequenceEqual(marker.AsSpan(0, length))) return length;
        return 0;
    }
}
