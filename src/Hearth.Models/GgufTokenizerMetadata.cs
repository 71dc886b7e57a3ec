using Hearth.Core;
using Hearth.Formats.Gguf;
using Hearth.Tokenizers;

namespace Hearth.Models;

/// <summary>Reads the tokenizer.ggml.* metadata of a GGUF file into a <see cref="GgufTokenizerSpec"/>.</summary>
public static class GgufTokenizerMetadata
{
    public const string ModelKey = "tokenizer.ggml.model";
    public const string ChatTemplateKey = "tokenizer.chat_template";

    /// <summary>The spec, or null when the file has no tokenizer.ggml.model. Wrongly typed keys throw naming the key.</summary>
    public static GgufTokenizerSpec? Read(IReadOnlyDictionary<string, GgufValue> metadata, string path)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var g = new GgufFields(metadata, path);
        if (g.OptionalString(ModelKey) is not { } model) return null;
        const string p = "tokenizer.ggml.";
        var tokens = g.OptionalStringArray(p + "tokens") ?? throw g.Missing(p + "tokens");
        int? Id(string key)
        {
            int? id = g.OptionalInt(p + key);
            if (id is { } i && (i < 0 || i >= tokens.Length))
                throw g.Invalid(p + key, $"({i}) is outside the vocabulary of {tokens.Length} tokens");
            return id;
        }

        var scores = g.OptionalFloatArray(p + "scores");
        var tokenTypes = g.OptionalIntArray(p + "token_type");
        if (scores is not null && scores.Length != tokens.Length)
            throw g.Invalid(p + "scores", $"has {scores.Length} values for {tokens.Length} tokens");
        if (tokenTypes is not null && tokenTypes.Length != tokens.Length)
            throw g.Invalid(p + "token_type", $"has {tokenTypes.Length} values for {tokens.Length} tokens");

        int[] extraEos = [.. new[] { Id("eot_token_id"), Id("eom_token_id") }.OfType<int>().Concat(EndOfTurnTokens(tokens, tokenTypes)).Distinct()];
        return new GgufTokenizerSpec
        {
            Model = model,
            Pre = g.OptionalString(p + "pre"),
            Tokens = tokens,
            Scores = scores,
            TokenTypes = tokenTypes,
            Merges = g.OptionalStringArray(p + "merges"),
            BosId = Id("bos_token_id"),
            EosId = Id("eos_token_id"),
            UnknownId = Id("unknown_token_id"),
            PaddingId = Id("padding_token_id"),
            ExtraEosIds = extraEos,
            AddBos = g.OptionalBool(p + "add_bos_token"),
            AddEos = g.OptionalBool(p + "add_eos_token"),
            AddSpacePrefix = g.OptionalBool(p + "add_space_prefix"),
        };
    }

    // End-of-turn markers that chat models emit but many GGUF files do not list as eos/eot ids
    // (HF lists them in generation_config.json instead). Like llama.cpp, treat these control
    // tokens as end of generation.
    private static readonly HashSet<string> EndOfTurnTexts = new(StringComparer.Ordinal)
    {
        "<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<|endoftext|>", "<end_of_turn>", "<EOT>", "<|end▁of▁sentence|>",
    };

    private const int ControlTokenType = 3;

    private static IEnumerable<int> EndOfTurnTokens(string[] tokens, int[]? tokenTypes)
    {
        for (int id = 0; id < tokens.Length; id++)
        {
            if ((tokenTypes is null || tokenTypes[id] == ControlTokenType) && EndOfTurnTexts.Contains(tokens[id])) yield return id;
        }
    }

    /// <summary>tokenizer.chat_template, if present.</summary>
    public static string? ChatTemplate(IReadOnlyDictionary<string, GgufValue> metadata, string path) =>
        new GgufFields(metadata, path).OptionalString(ChatTemplateKey);

    internal static ModelFormatException NoTokenizer(string path) =>
        new(path, $"the file has no tokenizer (metadata key '{ModelKey}' is missing)");
}
