namespace Hearth.Tokenizers.Pipeline;

/// <summary>transformers' clean_up_tokenization (applied by decode when clean_up_tokenization_spaces is set).</summary>
internal static class CleanUp
{
    public static readonly (string From, string To)[] Rules =
    [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
        (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ];

    public static string Apply(string text)
    {
        if (!text.Contains(' ', StringComparison.Ordinal)) return text;
        foreach (var (from, to) in Rules) text = text.Replace(from, to, StringComparison.Ordinal);
        return text;
    }

    /// <summary>Where the longest tail of <paramref name="text"/> that could still grow into a rule starts (text.Length if none).</summary>
    public static int HoldBackFrom(string text)
    {
        for (var start = Math.Max(0, text.Length - 4); start < text.Length; start++)
        {
            if (text[start] != ' ') continue;
            var tail = text.AsSpan(start);
            foreach (var (from, _) in Rules)
                if (from.Length > tail.Length && from.AsSpan().StartsWith(tail, StringComparison.Ordinal)) return start;
        }
        return text.Length;
    }
}
