using Hearth.Tokenizers.Pipeline;

namespace Hearth.Tokenizers;

/// <summary>
/// Streams text by decoding a short window of ids twice (without and with the newest id) and emitting the difference,
/// as HF's DecodeStream does: decoders that depend on context (a stripped leading space, byte runs) see the same
/// window both times. Text ending in U+FFFD (an incomplete UTF-8 character or byte-fallback run) is held back.
/// </summary>
internal sealed class IncrementalDetokenizer(BpeTokenizer tokenizer, bool skipSpecialTokens) : StreamingDetokenizer
{
    private readonly List<int> ids = [];
    private int prefixOffset;
    private int readOffset;
    private string pendingCleanUp = "";

    public override string Push(int id)
    {
        ids.Add(id);
        var window = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        var prefixText = tokenizer.DecodeRaw(window[prefixOffset..readOffset], skipSpecialTokens);
        var newText = tokenizer.DecodeRaw(window[prefixOffset..], skipSpecialTokens);
        if (newText.Length <= prefixText.Length || newText.EndsWith('\uFFFD') || !newText.StartsWith(prefixText, StringComparison.Ordinal))
            return "";
        prefixOffset = readOffset;
        readOffset = ids.Count;
        return Emit(newText[prefixText.Length..], final: false);
    }

    public override string Flush()
    {
        var window = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        var prefixText = tokenizer.DecodeRaw(window[prefixOffset..readOffset], skipSpecialTokens);
        var newText = tokenizer.DecodeRaw(window[prefixOffset..], skipSpecialTokens);
        var rest = newText.StartsWith(prefixText, StringComparison.Ordinal) ? newText[prefixText.Length..] : "";
        prefixOffset = readOffset = ids.Count;
        return Emit(rest, final: true);
    }

    private string Emit(string text, bool final)
    {
        if (!tokenizer.CleansUpSpaces) return text;
        // clean_up_tokenization rewrites " ." and the like: hold back a tail that may still become one.
        var pending = pendingCleanUp + text;
        var cut = final ? pending.Length : CleanUp.HoldBackFrom(pending);
        pendingCleanUp = pending[cut..];
        return CleanUp.Apply(pending[..cut]);
    }
}
