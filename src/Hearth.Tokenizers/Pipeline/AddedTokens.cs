namespace Hearth.Tokenizers.Pipeline;

/// <summary>An added token of tokenizer.json (special or not), matched in the text before the model sees it.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false,
    bool SingleWord = false, bool Normalized = false);

/// <summary>
/// Splits text into plain sections and added tokens: at each position the longest added token wins (leftmost-longest,
/// as HF's Aho-Corasick matcher); lstrip/rstrip tokens swallow the whitespace beside them.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> byFirstChar;
    private readonly System.Buffers.SearchValues<char> firstChars;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = System.Buffers.SearchValues.Create(byFirstChar.Keys.ToArray());
    }

    public bool IsEmpty => byFirstChar.Count == 0;

    /// <summary>Sections in order: (text, null) for plain text (possibly empty), (content, token) for a matched token.</summary>
    public List<(string Text, AddedToken? Token)> Split(string text)
    {
        var sections = new List<(string Text, AddedToken? Token)>();
        var plainStart = 0;
        for (var i = 0; i < text.Length;)
        {
            // Jump to the next character that can start a token (vectorized scan).
            var next = IsEmpty ? -1 : text.AsSpan(i).IndexOfAny(firstChars);
            if (next < 0) break;
            i += next;
            var match = MatchAt(text, i);
            if (match is null) { i++; continue; }
            sections.Add((text[plainStart..i], null));
            sections.Add((match.Content, match));
            i += match.Content.Length;
            plainStart = i;
        }
        sections.Add((text[plainStart..], null));

        for (var s = 0; s < sections.Count; s++)
        {
            var token = sections[s].Token;
            if (token is null) continue;
            if (token.LStrip && s > 0) sections[s - 1] = (sections[s - 1].Text.TrimEnd(), null);
            if (token.RStrip && s + 1 < sections.Count) sections[s + 1] = (sections[s + 1].Text.TrimStart(), null);
        }
        return sections;
    }

    private AddedToken? MatchAt(string text, int at)
    {
        if (!byFirstChar.TryGetValue(text[at], out var candidates)) return null;
        foreach (var token in candidates)
        {
            if (at + token.Content.Length > text.Length || string.CompareOrdinal(text, at, token.Content, 0, token.Content.Length) != 0) continue;
            if (token.SingleWord && !IsWordBoundary(text, at, at + token.Content.Length)) continue;
            return token;
        }
        return null;
    }

    private static bool IsWordBoundary(string text, int start, int end)
        => (start == 0 || !IsWordChar(text[start - 1])) && (end >= text.Length || !IsWordChar(text[end]));

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
