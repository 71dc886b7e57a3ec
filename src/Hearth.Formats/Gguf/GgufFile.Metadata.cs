using Hearth.Core;

namespace Hearth.Formats.Gguf;

/// <summary>
/// Typed metadata look-ups for the model loader. Missing keys and wrong types throw
/// <see cref="ModelFormatException"/> naming the file and the key; integer getters accept any
/// GGUF integer type whose value fits, float getters accept any number.
/// </summary>
public sealed partial class GgufFile
{
    /// <summary>general.architecture, or null if absent.</summary>
    public string? Architecture => GetStringOrDefault("general.architecture");

    public bool Contains(string key) => _metadata.ContainsKey(key);

    public bool TryGet(string key, out GgufValue value) => _metadata.TryGetValue(key, out value!);

    public GgufValue Get(string key) =>
        _metadata.TryGetValue(key, out var value) ? value : throw new ModelFormatException(Path, $"metadata '{key}' is missing");

    public string GetString(string key) => AsString(key, Get(key));

    public string? GetStringOrDefault(string key, string? defaultValue = null) =>
        TryGet(key, out var value) ? AsString(key, value) : defaultValue;

    public long GetInt64(string key) => AsInt64(key, Get(key));

    public int GetInt32(string key) => AsInt32(key, Get(key));

    public int GetInt32OrDefault(string key, int defaultValue) =>
        TryGet(key, out var value) ? AsInt32(key, value) : defaultValue;

    public float GetFloat(string key) => AsFloat(key, Get(key));

    public float GetFloatOrDefault(string key, float defaultValue) =>
        TryGet(key, out var value) ? AsFloat(key, value) : defaultValue;

    public bool GetBool(string key) => AsBool(key, Get(key));

    public bool GetBoolOrDefault(string key, bool defaultValue) =>
        TryGet(key, out var value) ? AsBool(key, value) : defaultValue;

    /// <summary>The raw array of an array value (typed CLR array, or GgufValue[] for nested arrays).</summary>
    public Array GetArray(string key)
    {
        var value = Get(key);
        return value.Type == GgufValueType.Array ? (Array)value.Value : throw WrongType(key, value, "an array");
    }

    public string[] GetStringArray(string key)
    {
        var value = Get(key);
        return value.Value as string[] ?? throw WrongType(key, value, "an array of strings");
    }

    /// <summary>An array of any numeric element type, converted to float.</summary>
    public float[] GetFloatArray(string key)
    {
        var value = Get(key);
        if (value.Value is float[] floats) return floats;
        if (value.Type != GgufValueType.Array || value.Value is string[] or bool[] or GgufValue[])
            throw WrongType(key, value, "an array of numbers");
        var source = (Array)value.Value;
        var result = new float[source.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = Convert.ToSingle(source.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>An array of any integer element type whose values all fit in an int.</summary>
    public int[] GetInt32Array(string key)
    {
        var value = Get(key);
        if (value.Value is int[] ints) return ints;
        if (value.Type != GgufValueType.Array || !IsIntegerType(value.ArrayElementType))
            throw WrongType(key, value, "an array of integers");
        var source = (Array)value.Value;
        var result = new int[source.Length];
        for (int i = 0; i < result.Length; i++)
        {
            object element = source.GetValue(i)!;
            bool fits = element is ulong u ? u <= int.MaxValue : Convert.ToInt64(element, System.Globalization.CultureInfo.InvariantCulture) is >= int.MinValue and <= int.MaxValue;
            if (!fits) throw new ModelFormatException(Path, $"metadata '{key}' element {i} = {element} does not fit in a 32-bit integer");
            result[i] = Convert.ToInt32(element, System.Globalization.CultureInfo.InvariantCulture);
        }
        return result;
    }

    private static bool IsIntegerType(GgufValueType type) => type is GgufValueType.UInt8 or GgufValueType.Int8
        or GgufValueType.UInt16 or GgufValueType.Int16 or GgufValueType.UInt32 or GgufValueType.Int32
        or GgufValueType.UInt64 or GgufValueType.Int64;

    private ModelFormatException WrongType(string key, GgufValue value, string expected)
    {
        string actual = value.Type == GgufValueType.Array ? $"an array of {value.ArrayElementType}" : value.Type.ToString();
        return new ModelFormatException(Path, $"metadata '{key}' is {actual}, expected {expected}");
    }

    private string AsString(string key, GgufValue value) => value.Value as string ?? throw WrongType(key, value, "a string");

    private bool AsBool(string key, GgufValue value) => value.Value is bool b ? b : throw WrongType(key, value, "a bool");

    private long AsInt64(string key, GgufValue value)
    {
        if (!value.IsInteger) throw WrongType(key, value, "an integer");
        if (value.Value is ulong u && u > long.MaxValue)
            throw new ModelFormatException(Path, $"metadata '{key}' = {u} does not fit in a 64-bit signed integer");
        return value.AsInt64();
    }

    private int AsInt32(string key, GgufValue value)
    {
        long v = AsInt64(key, value);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v
            : throw new ModelFormatException(Path, $"metadata '{key}' = {v} does not fit in a 32-bit integer");
    }

    private float AsFloat(string key, GgufValue value)
    {
        if (value.Type is not (GgufValueType.Float32 or GgufValueType.Float64) && !value.IsInteger)
            throw WrongType(key, value, "a number");
        return (float)value.AsDouble();
    }
}
