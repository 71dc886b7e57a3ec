using Hearth.Tokenizers;

namespace Hearth.Runtime.Tests.Fakes;

/// <summary>A character tokenizer: id 0 = &lt;s&gt;, 1 = &lt;/s&gt;, 2 = &lt;x&gt; (special), then one id per character of <see cref="Alphabet"/>.</summary>
public sealed class CharTokenizer : ITokenizer
{
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?:\n";
    public const int Bos = 0, Eos = 1, Special = 2, FirstChar = 3;

    public bool AddBos { get; init; } = true;

    public int VocabSize => FirstChar + Alphabet.Length;
    public int? BosId => Bos;
    public IReadOnlyList<int> EosIds => [Eos];
    public bool AddsBos => AddBos;

    public static int Id(char c) => FirstChar + Alphabet.IndexOf(c, StringComparison.Ordinal);

    public int[] Encode(string text, bool addSpecialTokens = true)
    {
        var ids = new List<int>();
        if (addSpecialTokens && AddBos) ids.Add(Bos);
        int i = 0;
        while (i < text.Length)
        {
            if (text.AsSpan(i).StartsWith("<s>")) { ids.Add(Bos); i += 3; continue; }
            if (text.AsSpan(i).StartsWith("</s>")) { ids.Add(Eos); i += 4; continue; }
            int at = Alphabet.IndexOf(text[i], StringComparison.Ordinal);
            if (at < 0) throw new ArgumentException($"character '{text[i]}' not in the test alphabet");
            ids.Add(FirstChar + at);
            i++;
        }
        return [.. ids];
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var sb = new System.Text.StringBuilder();
        foreach (int id in ids)
            if (!(skipSpecialTokens && IsSpecial(id))) sb.Append(TokenString(id));
        return sb.ToString();
    }

    public string? TokenString(int id) => id switch
    {
        Bos => "<s>",
        Eos => "</s>",
        Special => "<x>",
        _ when id >= FirstChar && id < VocabSize => Alphabet[id - FirstChar].ToString(),
        _ => null,
    };

    public int? TokenId(string token)
    {
        for (int id = 0; id < VocabSize; id++) if (TokenString(id) == token) return id;
        return null;
    }

    public bool IsSpecial(int id) => id < FirstChar;

    public StreamingDetokenizer CreateStreamingDetokenizer(bool skipSpecialTokens = false) => new Detokenizer(this, skipSpecialTokens);

    private sealed class Detokenizer(CharTokenizer tokenizer, bool skip) : StreamingDetokenizer
    {
        public override string Push(int id) => skip && tokenizer.IsSpecial(id) ? "" : tokenizer.TokenString(id) ?? "";
        public override string Flush() => "";
    }
}
