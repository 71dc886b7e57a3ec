using System.Text;
using System.Text.Json;

namespace Hearth.Tokenizers.Pipeline;

/// <summary>A tokenizer.json normalizer: rewrites text before pre-tokenization.</summary>
internal abstract class Normalizer
{
    public abstract string Normalize(string text);

    public static Normalizer? FromJson(JsonElement json, string path)
    {
        if (json.ValueKind == JsonValueKind.Null || json.ValueKind == JsonValueKind.Undefined) return null;
        var type = Json.RequiredString(json, "type", path);
        return type switch
        {
            "Sequence" => new SequenceNormalizer(
                Json.Array(json, "normalizers", path).Select(n => FromJson(n, path)).OfType<Normalizer>().ToArray()),
            "Prepend" => new PrependNormalizer(Json.RequiredString(json, "prepend", path)),
            "Replace" => new ReplaceNormalizer(Json.Pattern(json, path), Json.RequiredString(json, "content", path)),
            "NFC" => new UnicodeNormalizer(NormalizationForm.FormC),
            "NFKC" => new UnicodeNormalizer(NormalizationForm.FormKC),
            "NFD" => new UnicodeNormalizer(NormalizationForm.FormD),
            "NFKD" => new UnicodeNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            _ => throw new ModelFormatException(path, $"normalizer type '{type}' is not supported"),
        };
    }
}

internal sealed class SequenceNormalizer(Normalizer[] parts) : Normalizer
{
    public override string Normalize(string text)
    {
        foreach (var part in parts) text = part.Normalize(text);
        return text;
    }
}

internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    // HF prepends only to non-empty text.
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}

internal sealed class ReplaceNormalizer(TextPattern pattern, string content) : Normalizer
{
    public override string Normalize(string text) => pattern.Replace(text, content);
}

internal sealed class LowercaseNormalizer : Normalizer
{
    public override string Normalize(string text) => text.ToLowerInvariant();
}

internal sealed class UnicodeNormalizer(NormalizationForm form) : Normalizer
{
    public override string Normalize(string text) => form == NormalizationForm.FormC ? Nfc.Normalize(text) : text.Normalize(form);
}

/// <summary>A tokenizer.json pattern: {"String": literal} or {"Regex": pattern}.</summary>
internal sealed class TextPattern
{
    private readonly string? literal;
    private readonly UnicodeRegex? regex;

    public TextPattern(string? literal, UnicodeRegex? regex)
    {
        this.literal = literal;
        this.regex = regex;
    }

    /// <summary>The regex, or null for a literal pattern.</summary>
    public UnicodeRegex? Regex => regex;

    public List<(int Start, int Length)> Matches(string text)
    {
        if (regex is not null) return regex.Matches(text);
        var result = new List<(int, int)>();
        if (string.IsNullOrEmpty(literal)) return result;
        for (var i = text.IndexOf(literal, StringComparison.Ordinal); i >= 0; i = text.IndexOf(literal, i + literal.Length, StringComparison.Ordinal))
            result.Add((i, literal.Length));
        return result;
    }

    public string Replace(string text, string content)
    {
        if (regex is null) return string.IsNullOrEmpty(literal) ? text : text.Replace(literal, content, StringComparison.Ordinal);
        var builder = new StringBuilder(text.Length);
        var last = 0;
        foreach (var (start, length) in regex.Matches(text))
        {
            builder.Append(text, last, start - last).Append(content);
            last = start + length;
        }
        return builder.Append(text, last, text.Length - last).ToString();
    }
}
