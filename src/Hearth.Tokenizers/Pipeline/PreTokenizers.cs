using System.Text.Json;

namespace Hearth.Tokenizers.Pipeline;

/// <summary>A tokenizer.json pre-tokenizer: splits (and may rewrite) each piece of text into smaller pieces.</summary>
internal abstract class PreTokenizer
{
    /// <summary>GPT-2's split regex, used by ByteLevel with use_regex.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    /// <summary>GPT-4o's o200k split regex (letter runs split at case changes, contractions attached).</summary>
    public const string Gpt4oPattern = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    /// <summary>DeepSeek V3's three splits: digit runs of up to 3, CJK runs, then a GPT-4-like regex.</summary>
    public static readonly string[] DeepSeekV3Patterns =
    [
        @"\p{N}{1,3}",
        "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
        @"[!""#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    ];
    public const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <param name="isFirstSection">Whether this text starts the input (no added token before it): Metaspace's "first" scheme.</param>
    public abstract void Split(string piece, bool isFirstSection, List<string> destination);

    /// <summary>
    /// Set when this pre-tokenizer is exactly "split with a regex, then map each piece to the byte-level alphabet"
    /// (GPT-2 ByteLevel with use_regex, or Split + ByteLevel as Llama 3 / Qwen2 / GPT-4o files have): the encoder then
    /// walks the regex matches as spans and caches ids per raw word, skipping the per-piece strings.
    /// KeepGaps: the text between matches is a word too (false for an inverted Split with "Removed").
    /// </summary>
    public virtual RegexByteLevelPlan? Plan => null;

    public List<string> Run(string text, bool isFirstSection)
    {
        var result = new List<string>();
        Split(text, isFirstSection, result);
        return result;
    }

    public static PreTokenizer? FromJson(JsonElement json, string path)
    {
        if (json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var type = Json.RequiredString(json, "type", path);
        switch (type)
        {
            case "Sequence":
                return new SequencePreTokenizer(Json.Array(json, "pretokenizers", path).Select(p => FromJson(p, path)).OfType<PreTokenizer>().ToArray());
            case "Split":
                var behavior = Json.OptionalString(json, "behavior") ?? "Isolated";
                return new SplitPreTokenizer(Json.Pattern(json, path), behavior, path, Json.Bool(json, "invert", false));
            case "ByteLevel":
                return new ByteLevelPreTokenizer(Json.Bool(json, "add_prefix_space", false), Json.Bool(json, "use_regex", true) ? new UnicodeRegex(Gpt2Pattern) : null);
            case "Metaspace":
                var replacement = Json.OptionalString(json, "replacement") ?? "▁";
                var scheme = Json.OptionalString(json, "prepend_scheme") ?? (Json.Bool(json, "add_prefix_space", true) ? "always" : "never");
                return new MetaspacePreTokenizer(replacement, scheme, Json.Bool(json, "split", true));
            default:
                throw new ModelFormatException(path, $"pre-tokenizer type '{type}' is not supported");
        }
    }
}

internal sealed record RegexByteLevelPlan(UnicodeRegex Regex, bool KeepGaps);

internal sealed class SequencePreTokenizer(PreTokenizer[] parts) : PreTokenizer
{
    public override RegexByteLevelPlan? Plan
        => parts.Length == 2 && parts[0] is SplitPreTokenizer split && split.RegexSplit is { } plan
            && parts[1] is ByteLevelPreTokenizer { IsPlainMapping: true } ? plan : null;

    public override void Split(string piece, bool isFirstSection, List<string> destination)
    {
        var pieces = new List<string> { piece };
        foreach (var part in parts)
        {
            var next = new List<string>();
            foreach (var p in pieces) part.Split(p, isFirstSection, next);
            pieces = next;
        }
        destination.AddRange(pieces);
    }
}

internal sealed class SplitPreTokenizer : PreTokenizer
{
    private readonly TextPattern pattern;
    private readonly string behavior;
    private readonly bool invert;

    /// <summary>This split as a list of words (each match, and the gaps unless removed), when it is that simple.</summary>
    public RegexByteLevelPlan? RegexSplit { get; }

    /// <param name="invert">The pattern matches the pieces to keep rather than the delimiters (o200k: invert with
    /// "Removed" keeps exactly the regex matches).</param>
    public SplitPreTokenizer(TextPattern pattern, string behavior, string path, bool invert = false)
    {
        this.invert = invert;
        if (pattern.Regex is { } regex && (behavior == "Isolated" && !invert || behavior == "Removed" && invert))
            RegexSplit = new RegexByteLevelPlan(regex, KeepGaps: !invert);
        if (behavior is not ("Isolated" or "Removed" or "MergedWithPrevious" or "MergedWithNext"))
            throw new ModelFormatException(path, $"Split behavior '{behavior}' is not supported");
        this.pattern = pattern;
        this.behavior = behavior;
    }

    public override void Split(string piece, bool isFirstSection, List<string> destination)
    {
        // Alternating (isMatch, text) spans covering the piece.
        var spans = new List<(bool IsMatch, int Start, int Length)>();
        var last = 0;
        foreach (var (start, length) in pattern.Matches(piece))
        {
            if (start > last) spans.Add((invert, last, start - last));
            spans.Add((!invert, start, length));
            last = start + length;
        }
        if (last < piece.Length) spans.Add((invert, last, piece.Length - last));

        switch (behavior)
        {
            case "Isolated":
                foreach (var s in spans) destination.Add(piece.Substring(s.Start, s.Length));
                break;
            case "Removed":
                foreach (var s in spans) if (!s.IsMatch) destination.Add(piece.Substring(s.Start, s.Length));
                break;
            case "MergedWithPrevious":
                {
                    var pendingStart = -1;
                    foreach (var s in spans)
                    {
                        if (pendingStart < 0) pendingStart = s.Start;
                        if (s.IsMatch) { destination.Add(piece[pendingStart..(s.Start + s.Length)]); pendingStart = -1; }
                    }
                    if (pendingStart >= 0) destination.Add(piece[pendingStart..]);
                    break;
                }
            default: // MergedWithNext
                {
                    var pendingStart = -1;
                    foreach (var s in spans)
                    {
                        if (s.IsMatch && pendingStart >= 0) { destination.Add(piece[pendingStart..s.Start]); pendingStart = -1; }
                        if (pendingStart < 0) pendingStart = s.Start;
                    }
                    if (pendingStart >= 0) destination.Add(piece[pendingStart..]);
                    break;
                }
        }
    }
}

internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, UnicodeRegex? regex) : PreTokenizer
{
    /// <summary>Only maps characters (no regex, no prefix space).</summary>
    public bool IsPlainMapping => !addPrefixSpace && regex is null;

    public override RegexByteLevelPlan? Plan => !addPrefixSpace && regex is not null ? new RegexByteLevelPlan(regex, KeepGaps: true) : null;

    public override void Split(string piece, bool isFirstSection, List<string> destination)
    {
        if (addPrefixSpace && !piece.StartsWith(' ')) piece = " " + piece;
        if (regex is null) { destination.Add(ByteLevelAlphabet.Encode(piece)); return; }
        var last = 0;
        foreach (var (start, length) in regex.Matches(piece))
        {
            if (start > last) destination.Add(ByteLevelAlphabet.Encode(piece.AsSpan(last, start - last)));
            destination.Add(ByteLevelAlphabet.Encode(piece.AsSpan(start, length)));
            last = start + length;
        }
        if (last < piece.Length) destination.Add(ByteLevelAlphabet.Encode(piece.AsSpan(last)));
    }
}

internal sealed class MetaspacePreTokenizer(string replacement, string prependScheme, bool split) : PreTokenizer
{
    public override void Split(string piece, bool isFirstSection, List<string> destination)
    {
        piece = piece.Replace(" ", replacement, StringComparison.Ordinal);
        var prepend = prependScheme == "always" || (prependScheme == "first" && isFirstSection);
        if (prepend && !piece.StartsWith(replacement, StringComparison.Ordinal)) piece = replacement + piece;
        if (!split || piece.Length == 0) { if (piece.Length > 0) destination.Add(piece); return; }
        // Each replacement character starts a new piece (MergedWithNext).
        var start = 0;
        for (var i = piece.IndexOf(replacement, 1, StringComparison.Ordinal); i > 0; i = piece.IndexOf(replacement, i + replacement.Length, StringComparison.Ordinal))
        {
            destination.Add(piece[start..i]);
            start = i;
        }
        if (start < piece.Length) destination.Add(piece[start..]);
    }
}
