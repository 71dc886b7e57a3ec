using System.Globalization;
using System.Text;

namespace Hearth.Tokenizers.Pipeline;

/// <summary>
/// Unicode NFC (canonical decomposition, canonical ordering, canonical composition) from our own tables:
/// .NET's string.Normalize is a no-op under InvariantGlobalization, but Qwen's tokenizer.json normalizes with NFC.
/// </summary>
internal static class Nfc
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28, HangulNCount = HangulVCount * HangulTCount;
    private const int HangulSCount = HangulLCount * HangulNCount;

    private static readonly Dictionary<int, int> CombiningClass = ParseMap(NfcTables.CombiningClasses, v => Hex(v));
    private static readonly Dictionary<int, int[]> Decomposition = ParseMap(NfcTables.Decompositions, v => v.Split(' ').Select(Hex).ToArray());
    private static readonly Dictionary<long, int> Composition = NfcTables.Compositions.Split(';', StringSplitOptions.RemoveEmptyEntries)
        .Select(e => e.Split(':')).ToDictionary(p => Key(Hex(p[0].Split(' ')[0]), Hex(p[0].Split(' ')[1])), p => Hex(p[1]));

    public static string Normalize(string text)
    {
        // Below U+0300 no character changes under NFC (no combining marks, no exclusions): the common case.
        if (text.AsSpan().IndexOfAnyInRange('\u0300', '\uFFFF') < 0) return text;

        var codePoints = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) cp = char.ConvertToUtf32(text[i], text[++i]);
            Decompose(cp, codePoints);
        }
        SortMarks(codePoints);
        Compose(codePoints);
        var builder = new StringBuilder(text.Length);
        foreach (var cp in codePoints)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) builder.Append((char)cp); // a lone surrogate stays as it was
            else builder.Append(char.ConvertFromUtf32(cp));
        }
        return builder.ToString();
    }

    private static void Decompose(int cp, List<int> destination)
    {
        if (cp is >= HangulSBase and < HangulSBase + HangulSCount)
        {
            var index = cp - HangulSBase;
            destination.Add(HangulLBase + index / HangulNCount);
            destination.Add(HangulVBase + index % HangulNCount / HangulTCount);
            if (index % HangulTCount != 0) destination.Add(HangulTBase + index % HangulTCount);
        }
        else if (Decomposition.TryGetValue(cp, out var parts)) destination.AddRange(parts);
        else destination.Add(cp);
    }

    private static int Ccc(int cp) => CombiningClass.TryGetValue(cp, out var c) ? c : 0;

    /// <summary>Canonical ordering: stable sort of each run of non-starters by combining class.</summary>
    private static void SortMarks(List<int> cps)
    {
        for (var i = 1; i < cps.Count; i++)
        {
            var ccc = Ccc(cps[i]);
            if (ccc == 0) continue;
            for (var j = i; j > 0 && Ccc(cps[j - 1]) > ccc; j--) (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
        }
    }

    private static void Compose(List<int> cps)
    {
        if (cps.Count == 0) return;
        var starterIndex = Ccc(cps[0]) == 0 ? 0 : -1;
        var lastCcc = starterIndex == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < cps.Count; read++)
        {
            var cp = cps[read];
            var ccc = Ccc(cp);
            if (starterIndex >= 0 && (lastCcc < ccc || (lastCcc == 0 && write - 1 == starterIndex)) && TryCompose(cps[starterIndex], cp, out var composite))
            {
                cps[starterIndex] = composite;
                continue;
            }
            if (ccc == 0) { starterIndex = write; lastCcc = 0; }
            else lastCcc = ccc;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first is >= HangulLBase and < HangulLBase + HangulLCount && second is >= HangulVBase and < HangulVBase + HangulVCount)
        {
            composite = HangulSBase + ((first - HangulLBase) * HangulVCount + (second - HangulVBase)) * HangulTCount;
            return true;
        }
        if (first is >= HangulSBase and < HangulSBase + HangulSCount && (first - HangulSBase) % HangulTCount == 0
            && second is > HangulTBase and < HangulTBase + HangulTCount)
        {
            composite = first + (second - HangulTBase);
            return true;
        }
        return Composition.TryGetValue(Key(first, second), out composite);
    }

    private static long Key(int first, int second) => ((long)first << 21) | (uint)second;

    private static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static Dictionary<int, T> ParseMap<T>(string table, Func<string, T> value)
        => table.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split(':')).ToDictionary(p => Hex(p[0]), p => value(p[1]));
}
