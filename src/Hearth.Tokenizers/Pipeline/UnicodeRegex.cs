using System.Globalization;
using System.Text.RegularExpressions;

namespace Hearth.Tokenizers.Pipeline;

/// <summary>
/// A pre-tokenizer regex (written for Rust's regex / JS with the u flag, which see code points) run with .NET's
/// Regex, which sees UTF-16 code units: there `\p{L}` does not match the two halves of an astral letter such as 𝐀.
/// So the text is first folded to one BMP stand-in character per code point, with the same general category
/// (an astral letter becomes a BMP letter, an emoji a BMP symbol); the regex runs on that, and match positions map
/// back to the original text. Exact for patterns that test categories, which is what tokenizer regexes do.
/// </summary>
internal sealed class UnicodeRegex
{
    private static readonly char[] StandIn = BuildStandIns();
    private readonly Regex regex;

    public UnicodeRegex(string pattern)
    {
        regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    public string Pattern => regex.ToString();

    /// <summary>Start and length (in the original string's UTF-16 units) of each match.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        var result = new List<(int, int)>();
        foreach (var match in EnumerateMatches(text)) result.Add(match);
        return result;
    }

    /// <summary>The non-empty matches of <paramref name="text"/> without allocating per match (hot path of encoding).</summary>
    public MatchEnumerator EnumerateMatches(string text)
    {
        if (!HasSurrogates(text)) return new MatchEnumerator(regex.EnumerateMatches(text), null);
        // Fold each astral code point to one stand-in char; offsets[i] = start in `text` of folded char i (+ sentinel).
        var folded = new char[text.Length];
        var offsets = new int[text.Length + 1];
        var length = 0;
        for (var i = 0; i < text.Length;)
        {
            offsets[length] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                folded[length++] = StandIn[(int)CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))];
                i += 2;
            }
            else folded[length++] = text[i++];
        }
        offsets[length] = text.Length;
        return new MatchEnumerator(regex.EnumerateMatches(folded.AsSpan(0, length)), offsets);
    }

    /// <summary>Enumerates (start, length) of non-empty matches in the original text's UTF-16 units.</summary>
    public ref struct MatchEnumerator(Regex.ValueMatchEnumerator inner, int[]? offsets)
    {
        private Regex.ValueMatchEnumerator inner = inner;

        public (int Start, int Length) Current { get; private set; }

        public readonly MatchEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (inner.MoveNext())
            {
                var match = inner.Current;
                if (match.Length == 0) continue;
                if (offsets is null) Current = (match.Index, match.Length);
                else
                {
                    var start = offsets[match.Index];
                    Current = (start, offsets[match.Index + match.Length] - start);
                }
                return true;
            }
            return false;
        }
    }

    private static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>For each general category, a BMP character of that category that no tokenizer pattern names literally.</summary>
    private static char[] BuildStandIns()
    {
        var table = new char[32];
        Array.Fill(table, '\uFFFD');
        var found = new bool[32];
        for (var c = 0x100; c < 0xD800; c++)
        {
            var category = (int)char.GetUnicodeCategory((char)c);
            if (found[category]) continue;
            if (category == (int)UnicodeCategory.SpaceSeparator || category == (int)UnicodeCategory.LineSeparator
                || category == (int)UnicodeCategory.ParagraphSeparator) continue; // no astral whitespace exists
            table[category] = (char)c;
            found[category] = true;
        }
        table[(int)UnicodeCategory.OtherNotAssigned] = '\u0378'; // unassigned in the BMP too
        table[(int)UnicodeCategory.PrivateUse] = '\uE000';
        table[(int)UnicodeCategory.Surrogate] = '\uFFFD';
        return table;
    }
}
