using Hearth.Tokenizers.Bpe;
using Hearth.Tokenizers.Pipeline;

namespace Hearth.Tokenizers;

/// <summary>
/// A BPE tokenizer assembled from HF pipeline parts (normalizer, pre-tokenizer, model, decoder, special-token template);
/// both the tokenizer.json loader and the GGUF loader build one.
/// </summary>
internal sealed class BpeTokenizer : ITokenizer
{
    private readonly string?[] idToToken;
    private readonly Dictionary<string, int> tokenToId;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly HashSet<int> specialIds;
    private readonly AddedTokenSplitter rawSplitter;
    private readonly AddedTokenSplitter normalizedSplitter;
    private readonly Normalizer? normalizer;
    private readonly PreTokenizer? preTokenizer;
    private readonly BpeModel model;
    private readonly Decoder? decoder;
    private readonly SpecialTokenTemplate template;
    private readonly bool cleanUpSpaces;
    // Fast path for regex-split + byte-level pre-tokenizers: ids per raw (pre-byte-level) word, looked up by span.
    private readonly RegexByteLevelPlan? plan;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> wordCache = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> wordLookup;
    private int wordCacheCount;
    private const int WordCacheLimit = 200_000;

    public BpeTokenizer(BpeTokenizerParts parts)
    {
        tokenToId = new Dictionary<string, int>(parts.Vocab, StringComparer.Ordinal);
        var size = parts.Vocab.Count == 0 ? 0 : parts.Vocab.Values.Max() + 1;
        foreach (var added in parts.AddedTokens) size = Math.Max(size, added.Id + 1);
        idToToken = new string?[size];
        foreach (var (token, id) in parts.Vocab) idToToken[id] = token;
        addedById = [];
        foreach (var added in parts.AddedTokens)
        {
            idToToken[added.Id] = added.Content;
            tokenToId[added.Content] = added.Id;
            addedById[added.Id] = added;
        }
        specialIds = parts.AddedTokens.Where(t => t.Special).Select(t => t.Id).ToHashSet();
        foreach (var extra in parts.ExtraSpecialTokens)
            if (tokenToId.TryGetValue(extra, out var id)) specialIds.Add(id);
        normalizer = parts.Normalizer;
        preTokenizer = parts.PreTokenizer;
        model = parts.Model;
        decoder = parts.Decoder;
        template = parts.Template;
        cleanUpSpaces = parts.CleanUpTokenizationSpaces;
        rawSplitter = new AddedTokenSplitter(parts.AddedTokens.Where(t => !t.Normalized || normalizer is null));
        normalizedSplitter = new AddedTokenSplitter(parts.AddedTokens.Where(t => t.Normalized && normalizer is not null)
            .Select(t => t with { Content = normalizer!.Normalize(t.Content) }));
        BosId = parts.BosId;
        EosIds = parts.EosIds;
        plan = preTokenizer?.Plan;
        wordLookup = wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int VocabSize => idToToken.Length;
    public int? BosId { get; }
    public IReadOnlyList<int> EosIds { get; }
    public bool AddsBos => BosId is int bos && template.Prefix.Contains(bos);

    public int[] Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 4 + 4);
        if (addSpecialTokens) ids.AddRange(template.Prefix);
        var sections = rawSplitter.Split(text);
        for (var s = 0; s < sections.Count; s++)
        {
            var (sectionText, token) = sections[s];
            if (token is not null) { ids.Add(token.Id); continue; }
            if (sectionText.Length == 0) continue;
            var normalized = normalizer is null ? sectionText : normalizer.Normalize(sectionText);
            foreach (var (piece, normalizedToken) in normalizedSplitter.Split(normalized))
            {
                if (normalizedToken is not null) { ids.Add(normalizedToken.Id); continue; }
                if (piece.Length == 0) continue;
                if (plan is not null) EncodeWords(piece, plan, ids);
                else if (preTokenizer is null) model.Encode(piece, ids);
                else foreach (var word in preTokenizer.Run(piece, isFirstSection: s == 0)) model.Encode(word, ids);
            }
        }
        if (addSpecialTokens) ids.AddRange(template.Suffix);
        return ids.ToArray();
    }

    private void EncodeWords(string piece, RegexByteLevelPlan plan, List<int> ids)
    {
        var last = 0;
        foreach (var (start, length) in plan.Regex.EnumerateMatches(piece))
        {
            if (plan.KeepGaps && start > last) EncodeWord(piece.AsSpan(last, start - last), ids);
            EncodeWord(piece.AsSpan(start, length), ids);
            last = start + length;
        }
        if (plan.KeepGaps && last < piece.Length) EncodeWord(piece.AsSpan(last), ids);
    }

    private void EncodeWord(ReadOnlySpan<char> word, List<int> ids)
    {
        if (!wordLookup.TryGetValue(word, out var wordIds))
        {
            wordIds = model.EncodeWord(ByteLevelAlphabet.Encode(word));
            if (wordCacheCount < WordCacheLimit && wordCache.TryAdd(word.ToString(), wordIds)) Interlocked.Increment(ref wordCacheCount);
        }
        ids.AddRange(wordIds.AsSpan());
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var text = DecodeRaw(ids, skipSpecialTokens);
        return cleanUpSpaces ? CleanUp.Apply(text) : text;
    }

    /// <summary>Decode without the clean_up_tokenization_spaces pass (the streaming decoder applies that itself).</summary>
    internal string DecodeRaw(ReadOnlySpan<int> ids, bool skipSpecialTokens)
    {
        var tokens = new List<string>(ids.Length);
        foreach (var id in ids)
        {
            if (skipSpecialTokens && specialIds.Contains(id)) continue;
            var token = TokenString(id);
            if (token is not null) tokens.Add(token);
        }
        if (decoder is null) return string.Join(" ", tokens);
        return string.Concat(decoder.DecodeChain(tokens));
    }

    internal bool CleansUpSpaces => cleanUpSpaces;

    public string? TokenString(int id) => id >= 0 && id < idToToken.Length ? idToToken[id] : null;

    public int? TokenId(string token) => tokenToId.TryGetValue(token, out var id) ? id : null;

    public bool IsSpecial(int id) => specialIds.Contains(id);

    internal bool IsAdded(int id) => addedById.ContainsKey(id);

    public StreamingDetokenizer CreateStreamingDetokenizer(bool skipSpecialTokens = false) => new IncrementalDetokenizer(this, skipSpecialTokens);
}

/// <summary>Everything a <see cref="BpeTokenizer"/> is made of.</summary>
internal sealed record BpeTokenizerParts
{
    public required Dictionary<string, int> Vocab { get; init; }
    public required BpeModel Model { get; init; }
    public IReadOnlyList<AddedToken> AddedTokens { get; init; } = [];
    public IReadOnlyList<string> ExtraSpecialTokens { get; init; } = [];
    public Normalizer? Normalizer { get; init; }
    public PreTokenizer? PreTokenizer { get; init; }
    public Decoder? Decoder { get; init; }
    public SpecialTokenTemplate Template { get; init; } = SpecialTokenTemplate.None;
    public bool CleanUpTokenizationSpaces { get; init; }
    public int? BosId { get; init; }
    public IReadOnlyList<int> EosIds { get; init; } = [];
}
