using System.Globalization;
using System.Text;
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
        if (!HasSurrogates(text))
        {
            for (var m = regex.Match(text); m.Success; m = m.NextMatch())
                if (m.Length > 0) result.Add((m.Index, m.Length));
            return result;
        }
        // offsets[i] = start in `text` of the code point at folded index i (plus one sentinel).
        var folded = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length;)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                folded.Append(StandIn[(int)category]);
                i += 2;
            }
            else folded.Append(text[i++]);
        }
        offsets.Add(text.Length);
        for (var m = regex.Match(folded.ToString()); m.Success; m = m.NextMatch())
        {
            if (m.Length == 0) continue;
            var start = offsets[m.Index];
            result.Add((start, offsets[m.Index + m.Length] - start));
        }
        return result;
    }

    private static bool HasSurrogates(string text)
    {
        foreach (var c in text) if (char.IsSurrogate(c)) return true;
        return false;
    }

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
