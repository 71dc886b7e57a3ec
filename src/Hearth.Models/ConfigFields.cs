using System.Text.Json;
using Hearth.Core;
using Hearth.Formats.Gguf;

namespace Hearth.Models;

/// <summary>Typed reads of config.json fields; every error names the file and the field.</summary>
internal readonly struct JsonFields(JsonElement root, string path, string prefix = "")
{
    public string Path => path;

    public static JsonFields Of(JsonElement root, string path) => root.ValueKind == JsonValueKind.Object
        ? new JsonFields(root, path)
        : throw new ModelFormatException(path, $"expected a JSON object, found {root.ValueKind}");

    /// <summary>The field's value, or null when absent or JSON null.</summary>
    public JsonElement? Get(string field) =>
        root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public int Int(string field) => Get(field) is { } v ? AsInt(field, v) : throw Missing(field);

    public int? OptionalInt(string field) => Get(field) is { } v ? AsInt(field, v) : null;

    public double Double(string field) => Get(field) is { } v ? AsDouble(field, v) : throw Missing(field);

    public double? OptionalDouble(string field) => Get(field) is { } v ? AsDouble(field, v) : null;

    public bool? OptionalBool(string field) => Get(field) is { } v
        ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(field, "a boolean", v),
        }
        : null;

    public string? OptionalString(string field) => Get(field) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw WrongType(field, "a string", v)
        : null;

    /// <summary>A field that may be one integer or a list of integers (eos_token_id).</summary>
    public int[] IntOrIntList(string field)
    {
        if (Get(field) is not { } v) return [];
        if (v.ValueKind == JsonValueKind.Array)
        {
            var result = new List<int>();
            foreach (var e in v.EnumerateArray()) result.Add(AsInt(field, e));
            return [.. result];
        }
        return [AsInt(field, v)];
    }

    public JsonFields? OptionalObject(string field) => Get(field) is { } v
        ? v.ValueKind == JsonValueKind.Object ? new JsonFields(v, path, prefix + field + ".") : throw WrongType(field, "an object", v)
        : null;

    private int AsInt(string field, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw WrongType(field, "an integer", v);

    private double AsDouble(string field, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) ? d : throw WrongType(field, "a number", v);

    public ModelFormatException Missing(string field) => new(path, $"required field '{prefix}{field}' is missing");

    public ModelFormatException WrongType(string field, string expected, JsonElement v) =>
        new(path, $"field '{prefix}{field}' must be {expected}, found {Describe(v)}");

    public ModelFormatException Invalid(string field, string problem) => new(path, $"field '{prefix}{field}' {problem}");

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"string \"{v.GetString()}\"",
        JsonValueKind.Number => $"number {v.GetRawText()}",
        _ => v.ValueKind.ToString().ToLowerInvariant(),
    };
}

/// <summary>Typed reads of GGUF metadata; every error names the file and the key.</summary>
internal readonly struct GgufFields(IReadOnlyDictionary<string, GgufValue> metadata, string path)
{
    public string Path => path;

    public GgufValue? Get(string key) => metadata.GetValueOrDefault(key);

    public int Int(string key) => Get(key) is { } v ? AsInt(key, v) : throw Missing(key);

    public int? OptionalInt(string key) => Get(key) is { } v ? AsInt(key, v) : null;

    public double Double(string key) => Get(key) is { } v ? AsDouble(key, v) : throw Missing(key);

    public double? OptionalDouble(string key) => Get(key) is { } v ? AsDouble(key, v) : null;

    public bool? OptionalBool(string key) => Get(key) is { } v
        ? v.Value is bool b ? b : throw WrongType(key, "a bool", v)
        : null;

    public string? OptionalString(string key) => Get(key) is { } v
        ? v.Value as string ?? throw WrongType(key, "a string", v)
        : null;

    public string[]? OptionalStringArray(string key)
    {
        if (Get(key) is not { } v) return null;
        if (v.Type != GgufValueType.Array || v.ArrayElementType != GgufValueType.String) throw WrongType(key, "an array of strings", v);
        var items = v.AsArray();
        var result = new string[items.Length];
        for (int i = 0; i < items.Length; i++) result[i] = items.GetValue(i) as string ?? "";
        return result;
    }

    public float[]? OptionalFloatArray(string key)
    {
        if (Get(key) is not { } v) return null;
        if (v.Type != GgufValueType.Array || v.ArrayElementType is not (GgufValueType.Float32 or GgufValueType.Float64))
            throw WrongType(key, "an array of floats", v);
        var items = v.AsArray();
        var result = new float[items.Length];
        for (int i = 0; i < items.Length; i++) result[i] = Convert.ToSingle(items.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }

    public int[]? OptionalIntArray(string key)
    {
        if (Get(key) is not { } v) return null;
        if (v.Type != GgufValueType.Array || !IsIntegerType(v.ArrayElementType)) throw WrongType(key, "an array of integers", v);
        var items = v.AsArray();
        var result = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            long x = Convert.ToInt64(items.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            result[i] = x is >= int.MinValue and <= int.MaxValue ? (int)x : throw new ModelFormatException(path, $"metadata key '{key}' element {i} ({x}) is out of range");
        }
        return result;
    }

    private static bool IsIntegerType(GgufValueType t) => t is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16
        or GgufValueType.Int16 or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    private int AsInt(string key, GgufValue v)
    {
        if (!v.IsInteger) throw WrongType(key, "an integer", v);
        long x = v.AsInt64();
        return x is >= int.MinValue and <= int.MaxValue ? (int)x : throw new ModelFormatException(path, $"metadata key '{key}' value {x} is out of range");
    }

    private double AsDouble(string key, GgufValue v) => v.IsInteger || v.Type is GgufValueType.Float32 or GgufValueType.Float64
        ? v.AsDouble()
        : throw WrongType(key, "a number", v);

    public ModelFormatException Missing(string key) => new(path, $"required metadata key '{key}' is missing");

    public ModelFormatException WrongType(string key, string expected, GgufValue v) =>
        new(path, $"metadata key '{key}' must be {expected}, found {v.Type}{(v.Type == GgufValueType.Array ? " of " + v.ArrayElementType : "")}");

    public ModelFormatException Invalid(string key, string problem) => new(path, $"metadata key '{key}' {problem}");
}
