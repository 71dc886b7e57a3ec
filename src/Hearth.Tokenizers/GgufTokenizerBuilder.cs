using Hearth.Tokenizers.Bpe;
using Hearth.Tokenizers.Pipeline;

namespace Hearth.Tokenizers;

/// <summary>
/// Builds from GGUF tokenizer metadata the same pipeline the model's tokenizer.json describes:
/// "gpt2" is byte-level BPE (the split regex chosen by tokenizer.ggml.pre), "llama" is SentencePiece BPE with
/// byte fallback, merges ranked by token score.
/// </summary>
internal static class GgufTokenizerBuilder
{
    private const string Field = "tokenizer.ggml";
    private const int TypeUnknown = 2, TypeControl = 3, TypeUserDefined = 4;

    public static BpeTokenizer Build(GgufTokenizerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var tokens = spec.Tokens ?? throw new ModelFormatException(Field + ".tokens", "missing");
        if (spec.TokenTypes is { } types && types.Length != tokens.Length)
            throw new ModelFormatException(Field + ".token_type", $"has {types.Length} entries, expected {tokens.Length} (one per token)");
        CheckId(spec.BosId, tokens.Length, "bos_token_id");
        CheckId(spec.EosId, tokens.Length, "eos_token_id");
        CheckId(spec.UnknownId, tokens.Length, "unknown_token_id");
        foreach (var id in spec.ExtraEosIds) CheckId(id, tokens.Length, "eot_token_id");

        var vocab = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Length; id++) vocab.TryAdd(tokens[id], id);
        var added = new List<AddedToken>();
        if (spec.TokenTypes is { } tokenTypes)
            for (var id = 0; id < tokens.Length; id++)
                if (tokenTypes[id] is TypeUnknown or TypeControl or TypeUserDefined)
                    added.Add(new AddedToken(id, tokens[id], Special: tokenTypes[id] != TypeUserDefined));

        var eosIds = new List<int>();
        if (spec.EosId is int eos) eosIds.Add(eos);
        foreach (var id in spec.ExtraEosIds) if (!eosIds.Contains(id)) eosIds.Add(id);

        return spec.Model switch
        {
            "gpt2" => BuildByteLevel(spec, vocab, added, eosIds),
            "llama" => BuildSentencePiece(spec, vocab, added, eosIds),
            _ => throw new ModelFormatException(Field + ".model", $"tokenizer model '{spec.Model}' is not supported (expected 'gpt2' or 'llama')"),
        };
    }

    private static BpeTokenizer BuildByteLevel(GgufTokenizerSpec spec, Dictionary<string, int> vocab, List<AddedToken> added, List<int> eosIds)
    {
        var merges = spec.Merges ?? throw new ModelFormatException(Field + ".merges", "missing (required for model 'gpt2')");
        var pairs = merges.Select(m =>
        {
            var space = m.IndexOf(' ', 1);
            return space > 0 ? (m[..space], m[(space + 1)..]) : throw new ModelFormatException(Field + ".merges", $"merge '{m}' is not two tokens separated by a space");
        });
        // The split regexes llama.cpp applies for each pre name, in order (the same as the HF file's Split sequence).
        string[] patterns = spec.Pre switch
        {
            "llama-bpe" or "llama3" or "llama-v3" => [PreTokenizer.Llama3Pattern],
            "qwen2" => [PreTokenizer.Qwen2Pattern],
            "gpt-4o" => [PreTokenizer.Gpt4oPattern],
            "deepseek-v3" => PreTokenizer.DeepSeekV3Patterns,
            null or "gpt2" or "gpt-2" or "default" => [PreTokenizer.Gpt2Pattern],
            _ => throw new ModelFormatException(Field + ".pre", $"pre-tokenizer '{spec.Pre}' is not supported (expected llama-bpe, qwen2, gpt-4o, deepseek-v3, gpt-2 or default)"),
        };
        var isLlama3 = spec.Pre is "llama-bpe" or "llama3" or "llama-v3";
        var addBos = spec.AddBos ?? false;
        return new BpeTokenizer(new BpeTokenizerParts
        {
            Vocab = vocab,
            Model = new BpeModel(vocab, BpeModel.BuildMerges(pairs, vocab, Field + ".merges"), null, false, false, ignoreMerges: isLlama3),
            AddedTokens = added,
            Normalizer = spec.Pre == "qwen2" ? new UnicodeNormalizer(System.Text.NormalizationForm.FormC) : null,
            PreTokenizer = new SequencePreTokenizer([
                .. patterns.Select(p => new SplitPreTokenizer(new TextPattern(null, new UnicodeRegex(p)), "Isolated", Field + ".pre")),
                new ByteLevelPreTokenizer(false, null)]),
            Decoder = new ByteLevelDecoder(),
            Template = Template(spec, addBos, false),
            // The HF Llama 3 tokenizer_config sets clean_up_tokenization_spaces; match its decode.
            CleanUpTokenizationSpaces = isLlama3,
            BosId = spec.BosId,
            EosIds = eosIds,
        });
    }

    private static BpeTokenizer BuildSentencePiece(GgufTokenizerSpec spec, Dictionary<string, int> vocab, List<AddedToken> added, List<int> eosIds)
    {
        var scores = spec.Scores ?? throw new ModelFormatException(Field + ".scores", "missing (required for model 'llama')");
        if (scores.Length != spec.Tokens.Length)
            throw new ModelFormatException(Field + ".scores", $"has {scores.Length} entries, expected {spec.Tokens.Length}");
        var addSpacePrefix = spec.AddSpacePrefix ?? true;
        Normalizer normalizer = addSpacePrefix
            ? new SequenceNormalizer([new PrependNormalizer("▁"), new ReplaceNormalizer(new TextPattern(" ", null), "▁")])
            : new ReplaceNormalizer(new TextPattern(" ", null), "▁");
        var decoders = new List<Decoder> { new ReplaceDecoder(new TextPattern("▁", null), " "), new ByteFallbackDecoder(), new FuseDecoder() };
        if (addSpacePrefix) decoders.Add(new StripDecoder(" ", 1, 0));
        return new BpeTokenizer(new BpeTokenizerParts
        {
            Vocab = vocab,
            Model = new BpeModel(vocab, BpeModel.MergesFromScores(spec.Tokens, scores, vocab), spec.UnknownId, byteFallback: true, fuseUnknown: true, ignoreMerges: false),
            AddedTokens = added,
            Normalizer = normalizer,
            Decoder = new SequenceDecoder(decoders.ToArray()),
            Template = Template(spec, spec.AddBos ?? true, spec.AddEos ?? false),
            BosId = spec.BosId,
            EosIds = eosIds,
        });
    }

    private static SpecialTokenTemplate Template(GgufTokenizerSpec spec, bool addBos, bool addEos)
        => new(addBos && spec.BosId is int bos ? [bos] : [], addEos && spec.EosId is int eos ? [eos] : []);

    private static void CheckId(int? id, int count, string field)
    {
        if (id is int value && (value < 0 || value >= count))
            throw new ModelFormatException($"{Field}.{field}", $"id {value} is outside the vocabulary (0..{count - 1})");
    }
}
