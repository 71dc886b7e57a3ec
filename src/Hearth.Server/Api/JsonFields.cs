using System.Globalization;
using System.Text.Json;

namespace Hearth.Server.Api;

/// <summary>
/// Typed, strict reads of one JSON object of a request. A field that is absent or null reads as null; a field of
/// the wrong type or out of range is a 400 naming it (<c>messages[1].content</c>). Unknown fields are ignored, as
/// OpenAI does.
/// </summary>
internal readonly struct JsonFields
{
    private readonly JsonElement _object;
    private readonly string _prefix;

    public JsonFields(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw path.Length == 0
                ? ApiException.BadRequest("the request body must be a JSON object", null, "invalid_type")
                : ApiException.WrongType(path, "an object");
        _object = element;
        _prefix = path.Length == 0 ? "" : path + ".";
    }

    public string PathOf(string name) => _prefix + name;

    /// <summary>The field, or null when absent or JSON null.</summary>
    public JsonElement? Get(string name)
    {
        if (!_object.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value;
    }

    public bool Has(string name) => Get(name) is not null;

    public string? String(string name)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String) throw ApiException.WrongType(PathOf(name), "a string");
        return value.GetString();
    }

    public string RequiredString(string name) => String(name) ?? throw ApiException.Missing(PathOf(name));

    public bool? Bool(string name)
    {
        if (Get(name) is not { } value) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiException.WrongType(PathOf(name), "a boolean"),
        };
    }

    public double? Number(string name, double min, double max)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double d) || !double.IsFinite(d))
            throw ApiException.WrongType(PathOf(name), "a number");
        if (d < min || d > max)
            throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{PathOf(name)}' must be between {min} and {max} (got {d})"), PathOf(name));
        return d;
    }

    public long? Integer(string name, long min, long max)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number) throw ApiException.WrongType(PathOf(name), "an integer");
        if (!value.TryGetInt64(out long l))
        {
            // 1e30, 2.5 or 1.0: integral doubles are accepted (JavaScript clients send them), the rest are not.
            if (value.TryGetDouble(out double d) && double.IsFinite(d) && Math.Floor(d) == d)
            {
                throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{PathOf(name)}' must be between {min} and {max} (got {d})"), PathOf(name));
            }
            throw ApiException.WrongType(PathOf(name), "an integer");
        }
        if (l < min || l > max)
            throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{PathOf(name)}' must be between {min} and {max} (got {l})"), PathOf(name));
        return l;
    }

    public int? Int(string name, int min, int max) => Integer(name, min, max) is long l ? (int)l : null;

    public JsonElement? Array(string name)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Array) throw ApiException.WrongType(PathOf(name), "an array");
        return value;
    }

    public JsonFields? Object(string name)
    {
        if (Get(name) is not { } value) return null;
        return new JsonFields(value, PathOf(name));
    }

    public JsonElement Element => _object;
}
