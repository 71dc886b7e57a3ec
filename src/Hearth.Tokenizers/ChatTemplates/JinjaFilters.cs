using System.Globalization;
using static Hearth.Tokenizers.ChatTemplates.JinjaValues;

namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>The filters (`x | name(args)`) and tests (`x is name`) chat templates use.</summary>
internal static class JinjaFilters
{
    public static object? ApplyFilter(string name, object? value, List<object?> args, Dictionary<string, object?> kwargs, JinjaEvaluator evaluator)
    {
        object? Arg(int i, string key, object? fallback = null) => i < args.Count ? args[i] : kwargs.TryGetValue(key, out var v) ? v : fallback;
        switch (name)
        {
            case "trim":
                return Arg(0, "chars") is string chars ? ToText(value).Trim(chars.ToCharArray()) : ToText(value).Trim();
            case "length" or "count":
                return value switch
                {
                    string s => (long)s.EnumerateRunes().Count(),
                    List<object?> list => (long)list.Count,
                    Dictionary<string, object?> map => (long)map.Count,
                    _ => throw new InvalidOperationException($"object of type {TypeName(value)} has no length"),
                };
            case "tojson":
                return ToJson(value, Arg(0, "indent") is long indent ? (int)indent : null);
            case "upper": return ToText(value).ToUpperInvariant();
            case "lower": return ToText(value).ToLowerInvariant();
            case "capitalize":
                {
                    var s = ToText(value);
                    return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
                }
            case "title":
                return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(ToText(value).ToLowerInvariant());
            case "default" or "d":
                {
                    var useFalsy = IsTruthy(Arg(1, "boolean", false));
                    return value is Undefined || (useFalsy && !IsTruthy(value)) ? Arg(0, "default_value", "") : value;
                }
            case "join":
                {
                    var separator = ToText(Arg(0, "d", ""));
                    var items = Iterate(value);
                    if (Arg(1, "attribute") is { } attribute) items = items.Select(i => evaluator.GetAttribute(i, ToText(attribute))).ToList();
                    return string.Join(separator, items.Select(ToText));
                }
            case "replace":
                {
                    var text = ToText(value);
                    var old = ToText(Arg(0, "old"));
                    var replacement = ToText(Arg(1, "new"));
                    if (Arg(2, "count") is long count)
                    {
                        for (var i = 0; i < count; i++)
                        {
                            var at = text.IndexOf(old, StringComparison.Ordinal);
                            if (at < 0) break;
                            text = text[..at] + replacement + text[(at + old.Length)..];
                        }
                        return text;
                    }
                    return old.Length == 0 ? text : text.Replace(old, replacement, StringComparison.Ordinal);
                }
            case "items":
                return value is Dictionary<string, object?> mapping ? mapping.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
                    : value is null or Undefined ? new List<object?>() : throw new InvalidOperationException($"items filter needs a mapping, got {TypeName(value)}");
            case "selectattr" or "rejectattr":
                {
                    var attribute = ToText(Arg(0, "attr"));
                    var keep = name == "selectattr";
                    return Iterate(value).Where(item =>
                    {
                        var attributeValue = evaluator.GetAttribute(item, attribute);
                        var passes = args.Count > 1 ? ApplyTest(ToText(args[1]), attributeValue, args.Skip(2).ToList()) : IsTruthy(attributeValue);
                        return passes == keep;
                    }).ToList();
                }
            case "select" or "reject":
                {
                    var keep = name == "select";
                    return Iterate(value).Where(item =>
                        (args.Count > 0 ? ApplyTest(ToText(args[0]), item, args.Skip(1).ToList()) : IsTruthy(item)) == keep).ToList();
                }
            case "map":
                {
                    if (kwargs.TryGetValue("attribute", out var attribute))
                        return Iterate(value).Select(item =>
                        {
                            var v = evaluator.GetAttribute(item, ToText(attribute));
                            return v is Undefined && kwargs.TryGetValue("default", out var fallback) ? fallback : v;
                        }).ToList();
                    if (args.Count == 0) throw new InvalidOperationException("map needs a filter name or attribute=");
                    return Iterate(value).Select(item => ApplyFilter(ToText(args[0]), item, args.Skip(1).ToList(), [], evaluator)).ToList();
                }
            case "first":
                {
                    var items = Iterate(value);
                    return items.Count > 0 ? items[0] : Undefined.Instance;
                }
            case "last":
                {
                    var items = Iterate(value);
                    return items.Count > 0 ? items[^1] : Undefined.Instance;
                }
            case "reverse":
                {
                    if (value is string s) return new string(s.Reverse().ToArray());
                    var items = new List<object?>(Iterate(value));
                    items.Reverse();
                    return items;
                }
            case "list": return new List<object?>(Iterate(value));
            case "unique":
                {
                    var result = new List<object?>();
                    foreach (var item in Iterate(value)) if (!result.Any(r => AreEqual(r, item))) result.Add(item);
                    return result;
                }
            case "sort":
                {
                    var items = new List<object?>(Iterate(value));
                    var attribute = Arg(2, "attribute") is { } a ? ToText(a) : null;
                    var sorted = items.Order(Comparer<object?>.Create((x, y) => attribute is null ? Compare(x, y)
                        : Compare(evaluator.GetAttribute(x, attribute), evaluator.GetAttribute(y, attribute)))).ToList();
                    if (IsTruthy(Arg(0, "reverse", false))) sorted.Reverse();
                    return sorted;
                }
            case "dictsort":
                return value is Dictionary<string, object?> sortable
                    ? sortable.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
                    : throw new InvalidOperationException($"dictsort needs a mapping, got {TypeName(value)}");
            case "string": return ToText(value);
            case "int":
                return value switch
                {
                    long l => l,
                    double real => (long)Math.Truncate(real),
                    bool b => b ? 1L : 0L,
                    string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => (long)Math.Truncate(parsed),
                    _ => Arg(0, "default", 0L),
                };
            case "float":
                return value switch
                {
                    long or double or bool => ToDouble(value),
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedReal) => parsedReal,
                    _ => Arg(0, "default", 0.0),
                };
            case "abs": return value is long l2 ? (object)Math.Abs(l2) : Math.Abs(ToDouble(value));
            case "round":
                {
                    var digits = Arg(0, "precision", 0L) is long p ? (int)p : 0;
                    return Math.Round(ToDouble(value), digits, MidpointRounding.ToEven);
                }
            case "indent":
                {
                    var width = Arg(0, "width", 4L) is long w ? (int)w : 4;
                    var pad = new string(' ', width);
                    var lines = ToText(value).Split('\n');
                    var first = IsTruthy(Arg(1, "first", false));
                    var blank = IsTruthy(Arg(2, "blank", false));
                    for (var i = 0; i < lines.Length; i++)
                        if ((i > 0 || first) && (blank || lines[i].Length > 0)) lines[i] = pad + lines[i];
                    return string.Join('\n', lines);
                }
            case "safe": return value;
            case "escape" or "e":
                return ToText(value).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                    .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);
            default:
                throw new InvalidOperationException($"unknown filter '{name}'");
        }
    }

    public static bool ApplyTest(string name, object? value, List<object?> args) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "mapping" => value is Dictionary<string, object?> or JinjaNamespace,
        "sequence" => value is List<object?> or string or Dictionary<string, object?>,
        "iterable" => value is List<object?> or string or Dictionary<string, object?>,
        "number" => value is long or double,
        "integer" => value is long,
        "float" => value is double,
        "boolean" => value is bool,
        "true" => value is true,
        "false" => value is false,
        "callable" => value is JinjaCallable,
        "odd" => value is long l && l % 2 != 0,
        "even" => value is long l && l % 2 == 0,
        "divisibleby" => value is long l && args.Count > 0 && args[0] is long d && d != 0 && l % d == 0,
        "eq" or "equalto" or "==" or "sameas" => args.Count > 0 && AreEqual(value, args[0]),
        "ne" or "!=" => args.Count > 0 && !AreEqual(value, args[0]),
        "lower" => value is string s && s == s.ToLowerInvariant(),
        "upper" => value is string s && s == s.ToUpperInvariant(),
        "in" => args.Count > 0 && JinjaEvaluator.Contains(args[0], value),
        _ => throw new InvalidOperationException($"unknown test '{name}'"),
    };
}
