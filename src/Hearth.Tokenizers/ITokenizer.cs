namespace Hearth.Tokenizers;

/// <summary>Text to token ids and back, with the behaviour of the Hugging Face tokenizer the model came with.</summary>
public interface ITokenizer
{
    int VocabSize { get; }
    int? BosId { get; }
    /// <summary>All ids that end generation (Llama 3 has several).</summary>
    IReadOnlyList<int> EosIds { get; }
    /// <summary>Whether <see cref="Encode"/> with addSpecialTokens prepends BOS (the post-processor / add_bos_token setting).</summary>
    bool AddsBos { get; }

    /// <summary>Encodes text; special-token text inside it is matched as the special token (HF behaviour).
    /// With <paramref name="addSpecialTokens"/> the post-processor's BOS/EOS template is applied.</summary>
    int[] Encode(string text, bool addSpecialTokens = true);

    /// <summary>Decodes ids to text (HF decode; <paramref name="skipSpecialTokens"/> drops special tokens).</summary>
    string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false);

    /// <summary>The vocabulary string of one token (as stored, e.g. "▁the" or "Ġthe"), or null for an unknown id.</summary>
    string? TokenString(int id);

    /// <summary>Id of a token string (added/special tokens included), or null.</summary>
    int? TokenId(string token);

    bool IsSpecial(int id);

    /// <summary>A decoder that turns ids into text incrementally, never emitting half a UTF-8 character.</summary>
    StreamingDetokenizer CreateStreamingDetokenizer(bool skipSpecialTokens = false);
}

/// <summary>
/// Incremental decoding: <see cref="Push"/> returns the new text made complete by one more id,
/// holding back bytes of a partial UTF-8 sequence (or byte-fallback run) until it completes.
/// </summary>
public abstract class StreamingDetokenizer
{
    public abstract string Push(int id);
    /// <summary>Text still held back at the end (e.g. an incomplete sequence, rendered with U+FFFD as HF would).</summary>
    public abstract string Flush();
}
