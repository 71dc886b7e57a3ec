using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hearth.Tokenizers.Pipeline;

/// <summary>A tokenizer.json decoder: turns a list of token strings back into text pieces (HF's decode_chain).</summary>
internal abstract class Decoder
{
    public abstract List<string> DecodeChain(List<string> tokens);

    public static Decoder? FromJson(JsonElement json, string path)
    {
        if (json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var type = Json.RequiredString(json, "type", path);
        return type switch
        {
            "Sequence" => new SequenceDecoder(Json.Array(json, "decoders", path).Select(d => FromJson(d, path)).OfType<Decoder>().ToArray()),
            "ByteLevel" => new ByteLevelDecoder(),
            "Replace" => new ReplaceDecoder(Json.Pattern(json, path), Json.RequiredString(json, "content", path)),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Strip" => new StripDecoder(Json.RequiredString(json, "content", path), Json.Int(json, "start", 0), Json.Int(json, "stop", 0)),
            "Metaspace" => new MetaspaceDecoder(Json.OptionalString(json, "replacement") ?? "▁",
                (Json.OptionalString(json, "prepend_scheme") ?? (Json.Bool(json, "add_prefix_space", true) ? "always" : "never")) != "never"),
            _ => throw new ModelFormatException(path, $"decoder type '{type}' is not supported"),
        };
    }
}

internal sealed class SequenceDecoder(Decoder[] parts) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var part in parts) tokens = part.DecodeChain(tokens);
        return tokens;
    }
}

/// <summary>Joins all tokens, maps the byte-level alphabet back to bytes and decodes UTF-8 (invalid bytes become U+FFFD).</summary>
internal sealed class ByteLevelDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens) ByteLevelAlphabet.AppendBytes(token, bytes);
        return [Utf8.Decode(bytes)];
    }
}

internal sealed class ReplaceDecoder(TextPattern pattern, string content) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(t => pattern.Replace(t, content)).ToList();
}

/// <summary>Runs of &lt;0xAB&gt; tokens become the text of their bytes; a run that is not valid UTF-8 becomes one U+FFFD per byte.</summary>
internal sealed class ByteFallbackDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var pending = new List<byte>();
        foreach (var token in tokens)
        {
            if (TryParseByte(token, out var b)) { pending.Add(b); continue; }
            Flush(pending, result);
            result.Add(token);
        }
        Flush(pending, result);
        return result;
    }

    private static void Flush(List<byte> pending, List<string> result)
    {
        if (pending.Count == 0) return;
        var text = Utf8.TryDecodeStrict(pending);
        if (text is not null) result.Add(text);
        else for (var i = 0; i < pending.Count; i++) result.Add("\uFFFD");
        pending.Clear();
    }

    public static bool TryParseByte(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
    }
}

internal sealed class FuseDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary>Removes up to <c>start</c> leading and <c>stop</c> trailing copies of <c>content</c> from each token.</summary>
internal sealed class StripDecoder(string content, int start, int stop) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(Strip).ToList();

    private string Strip(string token)
    {
        var chars = token.EnumerateRunes().Select(r => r.ToString()).ToList();
        var from = 0;
        while (from < start && from < chars.Count && chars[from] == content) from++;
        var to = chars.Count;
        while (chars.Count - to < stop && to > from && chars[to - 1] == content) to--;
        return string.Concat(chars.Skip(from).Take(to - from));
    }
}

internal sealed class MetaspaceDecoder(string replacement, bool stripFirstSpace) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var text = tokens[i].Replace(replacement, " ", StringComparison.Ordinal);
            if (i == 0 && stripFirstSpace && text.StartsWith(' ')) text = text[1..];
            result.Add(text);
        }
        return result;
    }
}

internal static class Utf8
{
    private static readonly UTF8Encoding Lossy = new(false, false);
    private static readonly UTF8Encoding Strict = new(false, true);

    /// <summary>Lossy decode as Rust's from_utf8_lossy: each maximal invalid subsequence becomes one U+FFFD.</summary>
    public static string Decode(List<byte> bytes) => Lossy.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));

    public static string? TryDecodeStrict(List<byte> bytes)
    {
        try { return Strict.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)); }
        catch (DecoderFallbackException) { return null; }
    }
}
