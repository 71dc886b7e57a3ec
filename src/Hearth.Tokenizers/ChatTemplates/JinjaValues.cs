using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>A name or attribute that does not exist: prints as "", is falsy, and is "not defined".</summary>
internal sealed class Undefined
{
    public static readonly Undefined Instance = new();
    private Undefined() { }
    public override string ToString() => "";
}

/// <summary>namespace(...): the one object templates may mutate across loop scopes.</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);
}

/// <summary>A function value: a macro, a bound string/dict method or a global such as raise_exception.</summary>
internal sealed class JinjaCallable(string name, Func<List<object?>, Dictionary<string, object?>, object?> invoke)
{
    public string Name { get; } = name;
    public object? Invoke(List<object?> args, Dictionary<string, object?> kwargs) => invoke(args, kwargs);
}

/// <summary>Value semantics of Jinja on Python objects: None, bool, long, double, string, list, dict.</summary>
internal static class JinjaValues
{
    /// <summary>Converts a JSON value (messages, tools) to template values.</summary>
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(FromJson).ToList(),
        JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => v.GetValueKind() == System.Text.Json.JsonValueKind.True,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number =>
            long.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) ? (object)l
            : double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };

    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        Dictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>str(value) as Python prints it.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "None",
        Undefined => "",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        _ => Repr(value),
    };

    /// <summary>repr(value) as Python prints it (strings quoted, lists and dicts with repr items).</summary>
    public static string Repr(object? value) => value switch
    {
        string s => ReprString(s),
        List<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        Dictionary<string, object?> dict => "{" + string.Join(", ", dict.Select(p => ReprString(p.Key) + ": " + Repr(p.Value))) + "}",
        JinjaNamespace => "<Namespace>",
        JinjaCallable c => $"<function {c.Name}>",
        _ => ToText(value),
    };

    private static string ReprString(string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var builder = new StringBuilder().Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote) builder.Append('\\').Append(c);
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append(quote).ToString();
    }

    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text.Replace("E", "e", StringComparison.Ordinal) : text + ".0";
    }

    public static bool IsNumber(object? value) => value is long or double;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException($"expected a number, got {TypeName(value)}"),
    };

    public static bool AreEqual(object? left, object? right)
    {
        if (left is bool lb) left = lb ? 1L : 0L;
        if (right is bool rb) right = rb ? 1L : 0L;
        return (left, right) switch
        {
            (null, null) => true,
            (Undefined, Undefined) => true,
            (long a, long b) => a == b,
            (long or double, long or double) => ToDouble(left) == ToDouble(right),
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(p => AreEqual(p.First, p.Second)),
            (Dictionary<string, object?> a, Dictionary<string, object?> b) =>
                a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && AreEqual(p.Value, v)),
            _ => ReferenceEquals(left, right),
        };
    }

    public static int Compare(object? left, object? right)
    {
        if (IsNumber(left) && IsNumber(right)) return ToDouble(left).CompareTo(ToDouble(right));
        if (left is string a && right is string b) return string.CompareOrdinal(a, b);
        if (left is List<object?> x && right is List<object?> y)
        {
            for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
            {
                var c = Compare(x[i], y[i]);
                if (c != 0) return c;
            }
            return x.Count.CompareTo(y.Count);
        }
        throw new InvalidOperationException($"cannot compare {TypeName(left)} with {TypeName(right)}");
    }

    public static string TypeName(object? value) => value switch
    {
        null => "None",
        Undefined => "undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        Dictionary<string, object?> => "dict",
        JinjaNamespace => "namespace",
        JinjaCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>Iterates a value as Python's for would: lists, dict keys, string characters.</summary>
    public static List<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        Dictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
        null or Undefined => [],
        _ => throw new InvalidOperationException($"{TypeName(value)} is not iterable"),
    };

    /// <summary>json.dumps(value, ensure_ascii=False[, indent]) as transformers' tojson filter.</summary>
    public static string ToJson(object? value, int? indent)
    {
        var builder = new StringBuilder();
        WriteJson(value, indent, 0, builder);
        return builder.ToString();
    }

    private static void WriteJson(object? value, int? indent, int depth, StringBuilder builder)
    {
        switch (value)
        {
            case null or Undefined: builder.Append("null"); break;
            case bool b: builder.Append(b ? "true" : "false"); break;
            case long l: builder.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: builder.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : FormatFloat(d)); break;
            case string s: WriteJsonString(s, builder); break;
            case List<object?> list:
                WriteJsonContainer(list.Count, indent, depth, builder, '[', ']', (i, b) => WriteJson(list[i], indent, depth + 1, b));
                break;
            case Dictionary<string, object?> dict:
                var entries = dict.ToList();
                WriteJsonContainer(entries.Count, indent, depth, builder, '{', '}', (i, b) =>
                {
                    WriteJsonString(entries[i].Key, b);
                    b.Append(": ");
                    WriteJson(entries[i].Value, indent, depth + 1, b);
                });
                break;
            case JinjaNamespace ns: WriteJson(ns.Values, indent, depth, builder); break;
            default: WriteJsonString(ToText(value), builder); break;
        }
    }

    private static void WriteJsonContainer(int count, int? indent, int depth, StringBuilder builder, char open, char close, Action<int, StringBuilder> item)
    {
        builder.Append(open);
        if (count == 0) { builder.Append(close); return; }
        for (var i = 0; i < count; i++)
        {
            if (i > 0) builder.Append(indent is null ? ", " : ",");
            if (indent is int n) builder.Append('\n').Append(' ', n * (depth + 1));
            item(i, builder);
        }
        if (indent is int m) builder.Append('\n').Append(' ', m * depth);
        builder.Append(close);
    }

    private static void WriteJsonString(string s, StringBuilder builder)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < ' ') builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        builder.Append('"');
    }
}
