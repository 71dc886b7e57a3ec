namespace Hearth.Tokenizers;

/// <summary>
/// A tokenizer described by GGUF metadata (tokenizer.ggml.*), decoupled from the GGUF reader:
/// the model loader fills it in from the file's metadata.
/// </summary>
public sealed record GgufTokenizerSpec
{
    /// <summary>tokenizer.ggml.model: "llama" (SentencePiece BPE with byte fallback) or "gpt2" (byte-level BPE).</summary>
    public required string Model { get; init; }
    /// <summary>tokenizer.ggml.pre: the pre-tokenizer name ("llama-bpe", "qwen2", "default", ...), if any.</summary>
    public string? Pre { get; init; }
    public required string[] Tokens { get; init; }
    public float[]? Scores { get; init; }
    /// <summary>tokenizer.ggml.token_type: 1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte.</summary>
    public int[]? TokenTypes { get; init; }
    public string[]? Merges { get; init; }
    public int? BosId { get; init; }
    public int? EosId { get; init; }
    public int? UnknownId { get; init; }
    public int? PaddingId { get; init; }
    /// <summary>Extra EOS ids (e.g. Llama 3's eot id, tokenizer.ggml.eot_token_id).</summary>
    public int[] ExtraEosIds { get; init; } = [];
    public bool? AddBos { get; init; }
    public bool? AddEos { get; init; }
    public bool? AddSpacePrefix { get; init; }
}

public static class TokenizerLoader
{
    /// <summary>Loads a HF tokenizer.json (and tokenizer_config.json beside it or at <paramref name="configPath"/>, if present).</summary>
    public static ITokenizer FromHuggingFace(string tokenizerJsonPath, string? configPath = null)
        => HuggingFaceTokenizerReader.Read(tokenizerJsonPath, configPath);

    /// <summary>Builds the tokenizer GGUF metadata describes, with the same behaviour as the HF file it came from.</summary>
    /// <summary>The chat_template of a tokenizer_config.json (a string, or the entry named <paramref name="name"/> of a
    /// [{name, template}] list), or null if it has none.</summary>
    public static string? ReadChatTemplate(string tokenizerConfigPath, string name = "default")
        => HuggingFaceTokenizerReader.ReadChatTemplate(tokenizerConfigPath, name);

    public static ITokenizer FromGguf(GgufTokenizerSpec spec) => GgufTokenizerBuilder.Build(spec);
}
