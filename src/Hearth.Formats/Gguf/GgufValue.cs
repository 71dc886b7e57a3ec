using System.Globalization;
using Hearth.Core;

namespace Hearth.Formats.Gguf;

/// <summary>
/// One GGUF metadata value. Scalars are boxed CLR values of the matching type (byte, sbyte,
/// ushort, short, uint, int, float, bool, string, ulong, long, double); arrays hold
/// <see cref="ArrayElementType"/> and an <see cref="Array"/> of the element CLR type, or
/// GgufValue[] for nested arrays.
/// </summary>
public sealed class GgufValue
{
    public GgufValue(GgufValueType type, object value, GgufValueType arrayElementType = default)
    {
        Type = type;
        Value = value;
        ArrayElementType = arrayElementType;
    }

    public GgufValueType Type { get; }
    public object Value { get; }
    public GgufValueType ArrayElementType { get; }

    public static GgufValue Of(string s) => new(GgufValueType.String, s);
    public static GgufValue Of(uint v) => new(GgufValueType.UInt32, v);
    public static GgufValue Of(int v) => new(GgufValueType.Int32, v);
    public static GgufValue Of(float v) => new(GgufValueType.Float32, v);
    public static GgufValue Of(bool v) => new(GgufValueType.Bool, v);
    public static GgufValue Of(ulong v) => new(GgufValueType.UInt64, v);
    public static GgufValue Of(string[] v) => new(GgufValueType.Array, v, GgufValueType.String);
    public static GgufValue Of(float[] v) => new(GgufValueType.Array, v, GgufValueType.Float32);
    public static GgufValue Of(int[] v) => new(GgufValueType.Array, v, GgufValueType.Int32);
    public static GgufValue Of(long v) => new(GgufValueType.Int64, v);
    public static GgufValue Of(double v) => new(GgufValueType.Float64, v);
    public static GgufValue Of(uint[] v) => new(GgufValueType.Array, v, GgufValueType.UInt32);
    /// <summary>An array of arrays; each element must itself be an array value.</summary>
    public static GgufValue OfNested(params GgufValue[] arrays) => new(GgufValueType.Array, arrays, GgufValueType.Array);

    public bool IsInteger => Type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16 or GgufValueType.Int16
        or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    /// <summary>Any integer type as long (throws for non-integers).</summary>
    public long AsInt64() => !IsInteger ? throw new HearthException($"GGUF value of type {Type} is not an integer")
        : Value is ulong u && u > long.MaxValue ? throw new HearthException($"GGUF value {u} does not fit in a 64-bit signed integer")
        : Convert.ToInt64(Value, CultureInfo.InvariantCulture);

    /// <summary>Any numeric type as double.</summary>
    public double AsDouble() => Type is GgufValueType.Float32 or GgufValueType.Float64 || IsInteger
        ? Convert.ToDouble(Value, CultureInfo.InvariantCulture)
        : throw new HearthException($"GGUF value of type {Type} is not a number");

    public string AsString() => Value as string ?? throw new HearthException($"GGUF value of type {Type} is not a string");

    public bool AsBool() => Value is bool b ? b : throw new HearthException($"GGUF value of type {Type} is not a bool");

    public Array AsArray() => Type == GgufValueType.Array ? (Array)Value : throw new HearthException($"GGUF value of type {Type} is not an array");

    public override string ToString() => Type == GgufValueType.Array
        ? $"[{ArrayElementType} x {((Array)Value).Length}]"
        : Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "";
}
