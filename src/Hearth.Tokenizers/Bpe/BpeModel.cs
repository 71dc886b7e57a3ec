using System.Text;

namespace Hearth.Tokenizers.Bpe;

/// <summary>
/// Byte-pair encoding of one pre-tokenized word, as HF tokenizers' BPE model: start from one symbol per character
/// (or its &lt;0xAB&gt; byte tokens with byte fallback, or the unknown token), then repeatedly apply the merge of
/// lowest rank, leftmost first.
/// </summary>
internal sealed class BpeModel
{
    private readonly Dictionary<string, int> vocab;
    private readonly Dictionary<long, (int Rank, int Merged)> merges;
    private readonly int? unknownId;
    private readonly bool byteFallback;
    private readonly bool fuseUnknown;
    private readonly bool ignoreMerges;
    private readonly int[] byteTokenIds = new int[256];
    // Words seen before (thread-safe: one tokenizer may serve several threads); bounded by CacheLimit entries.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private int cacheCount;
    private const int CacheLimit = 100_000;

    public BpeModel(Dictionary<string, int> vocab, Dictionary<long, (int Rank, int Merged)> merges, int? unknownId,
        bool byteFallback, bool fuseUnknown, bool ignoreMerges)
    {
        this.vocab = vocab;
        this.merges = merges;
        this.unknownId = unknownId;
        this.byteFallback = byteFallback;
        this.fuseUnknown = fuseUnknown;
        this.ignoreMerges = ignoreMerges;
        for (var b = 0; b < 256; b++) byteTokenIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
    }

    public static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    public void Encode(string word, List<int> destination)
    {
        if (word.Length == 0) return;
        if (ignoreMerges && vocab.TryGetValue(word, out var whole)) { destination.Add(whole); return; }
        if (cache.TryGetValue(word, out var cached)) { destination.AddRange(cached.AsSpan()); return; }
        var result = EncodeWord(word);
        if (cacheCount < CacheLimit && cache.TryAdd(word, result)) Interlocked.Increment(ref cacheCount);
        destination.AddRange(result.AsSpan());
    }

    /// <summary>The ids of one word, without the cache (the caller caches).</summary>
    public int[] EncodeWord(string word)
    {
        if (word.Length == 0) return [];
        if (ignoreMerges && vocab.TryGetValue(word, out var whole)) return [whole];
        var symbols = InitialSymbols(word);
        ApplyMerges(symbols);
        return symbols.ToArray();
    }

    private List<int> InitialSymbols(string word)
    {
        var symbols = new List<int>(word.Length);
        var previousWasUnknown = false;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in word.EnumerateRunes())
        {
            if (vocab.TryGetValue(rune.ToString(), out var id)) { symbols.Add(id); previousWasUnknown = false; continue; }
            if (byteFallback)
            {
                var length = rune.EncodeToUtf8(utf8);
                var all = true;
                for (var i = 0; i < length; i++) all &= byteTokenIds[utf8[i]] >= 0;
                if (all)
                {
                    for (var i = 0; i < length; i++) symbols.Add(byteTokenIds[utf8[i]]);
                    previousWasUnknown = false;
                    continue;
                }
            }
            if (unknownId is int unk)
            {
                if (!(fuseUnknown && previousWasUnknown)) symbols.Add(unk);
                previousWasUnknown = true;
            }
        }
        return symbols;
    }

    private void ApplyMerges(List<int> symbols)
    {
        while (symbols.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestAt = -1;
            var bestMerged = 0;
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (merges.TryGetValue(PairKey(symbols[i], symbols[i + 1]), out var merge) && merge.Rank < bestRank)
                {
                    bestRank = merge.Rank;
                    bestAt = i;
                    bestMerged = merge.Merged;
                }
            }
            if (bestAt < 0) return;
            symbols[bestAt] = bestMerged;
            symbols.RemoveAt(bestAt + 1);
        }
    }

    /// <summary>Builds the merge table from HF "a b" strings or [a, b] pairs, in rank order.</summary>
    public static Dictionary<long, (int Rank, int Merged)> BuildMerges(IEnumerable<(string Left, string Right)> pairs,
        Dictionary<string, int> vocab, string path)
    {
        var table = new Dictionary<long, (int, int)>();
        var rank = 0;
        foreach (var (left, right) in pairs)
        {
            if (!vocab.TryGetValue(left, out var l) || !vocab.TryGetValue(right, out var r) || !vocab.TryGetValue(left + right, out var merged))
                throw new ModelFormatException(path, $"merge '{left} {right}' (rank {rank}) uses a token that is not in the vocabulary");
            table.TryAdd(PairKey(l, r), (rank, merged));
            rank++;
        }
        return table;
    }

    /// <summary>SentencePiece BPE merges from scores: every split of a token into two vocabulary tokens, ranked by the token's score (higher first).</summary>
    public static Dictionary<long, (int Rank, int Merged)> MergesFromScores(string[] tokens, float[] scores, Dictionary<string, int> vocab)
    {
        var candidates = new List<(float Score, int Merged, int Left, int Right)>();
        for (var id = 0; id < tokens.Length; id++)
        {
            var token = tokens[id];
            for (var split = 1; split < token.Length; split++)
            {
                if (char.IsLowSurrogate(token[split])) continue;
                if (vocab.TryGetValue(token[..split], out var l) && vocab.TryGetValue(token[split..], out var r))
                    candidates.Add((id < scores.Length ? scores[id] : 0f, id, l, r));
            }
        }
        candidates.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Merged != b.Merged ? a.Merged.CompareTo(b.Merged) : a.Left.CompareTo(b.Left));
        var table = new Dictionary<long, (int, int)>(candidates.Count);
        for (var rank = 0; rank < candidates.Count; rank++)
            table.TryAdd(PairKey(candidates[rank].Left, candidates[rank].Right), (rank, candidates[rank].Merged));
        return table;
    }

}
