using System.Text.Json;

namespace Hearth.Tokenizers.Pipeline;

/// <summary>Small checked accessors for tokenizer.json: a missing or mistyped field is a ModelFormatException naming it.</summary>
internal static class Json
{
    public static JsonElement Get(JsonElement json, string field)
        => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(field, out var value) ? value : default;

    public static bool Has(JsonElement json, string field)
    {
        var value = Get(json, field);
        return value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
    }

    public static string RequiredString(JsonElement json, string field, string path)
    {
        var value = Get(json, field);
        return value.ValueKind == JsonValueKind.String ? value.GetString()!
            : throw new ModelFormatException(path, $"field '{field}' must be a string (in {Describe(json)})");
    }

    public static string? OptionalString(JsonElement json, string field)
    {
        var value = Get(json, field);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    public static bool Bool(JsonElement json, string field, bool fallback)
    {
        var value = Get(json, field);
        return value.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => fallback };
    }

    public static int Int(JsonElement json, string field, int fallback)
    {
        var value = Get(json, field);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : fallback;
    }

    public static IEnumerable<JsonElement> Array(JsonElement json, string field, string path)
    {
        var value = Get(json, field);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray()
            : throw new ModelFormatException(path, $"field '{field}' must be an array (in {Describe(json)})");
    }

    public static TextPattern Pattern(JsonElement json, string path)
    {
        var pattern = Get(json, "pattern");
        if (Has(pattern, "String")) return new TextPattern(RequiredString(pattern, "String", path), null);
        if (Has(pattern, "Regex")) return new TextPattern(null, new UnicodeRegex(RequiredString(pattern, "Regex", path)));
        throw new ModelFormatException(path, $"'pattern' must be {{\"String\": ...}} or {{\"Regex\": ...}} (in {Describe(json)})");
    }

    private static string Describe(JsonElement json)
    {
        var text = json.ValueKind == JsonValueKind.Undefined ? "(missing)" : json.GetRawText();
        return text.Length > 120 ? text[..120] + "..." : text;
    }
}
