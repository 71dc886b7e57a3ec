using System.Text.Json;

namespace Hearth.Tokenizers.Pipeline;

/// <summary>The ids a single-sequence TemplateProcessing puts around the text (BOS before, EOS after).</summary>
internal sealed record SpecialTokenTemplate(int[] Prefix, int[] Suffix)
{
    public static readonly SpecialTokenTemplate None = new([], []);

    public static SpecialTokenTemplate FromJson(JsonElement json, string path)
    {
        if (json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return None;
        var type = Json.RequiredString(json, "type", path);
        switch (type)
        {
            case "Sequence":
                var prefix = new List<int>();
                var suffix = new List<int>();
                foreach (var part in Json.Array(json, "processors", path))
                {
                    var t = FromJson(part, path);
                    prefix.AddRange(t.Prefix);
                    suffix.AddRange(t.Suffix);
                }
                return new SpecialTokenTemplate(prefix.ToArray(), suffix.ToArray());
            case "ByteLevel":
                return None; // only adjusts offsets
            case "TemplateProcessing":
                var specialTokens = Json.Get(json, "special_tokens");
                var before = new List<int>();
                var after = new List<int>();
                var seenSequence = false;
                foreach (var item in Json.Array(json, "single", path))
                {
                    if (Json.Has(item, "Sequence")) { seenSequence = true; continue; }
                    var name = Json.RequiredString(Json.Get(item, "SpecialToken"), "id", path);
                    var entry = Json.Get(specialTokens, name);
                    var ids = Json.Array(entry, "ids", path).Select(e => e.GetInt32());
                    (seenSequence ? after : before).AddRange(ids);
                }
                return new SpecialTokenTemplate(before.ToArray(), after.ToArray());
            case "BertProcessing":
            case "RobertaProcessing":
                var cls = Json.Get(json, "cls").EnumerateArray().ElementAt(1).GetInt32();
                var sep = Json.Get(json, "sep").EnumerateArray().ElementAt(1).GetInt32();
                return new SpecialTokenTemplate([cls], [sep]);
            default:
                throw new ModelFormatException(path, $"post-processor type '{type}' is not supported");
        }
    }
}
