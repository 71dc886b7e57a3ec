using System.Globalization;
using System.Text;
using static Hearth.Tokenizers.ChatTemplates.JinjaValues;

namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>Python methods templates call on values (str.strip, str.split, dict.items, ...) and the global functions.</summary>
internal static class JinjaMethods
{
    public static JinjaCallable? Bind(object? target, string name) => target switch
    {
        string s => StringMethod(s, name),
        Dictionary<string, object?> d => DictMethod(d, name),
        List<object?> l => ListMethod(l, name),
        _ => null,
    };

    private static object? Arg(List<object?> args, int i) => i < args.Count ? args[i] : null;

    private static JinjaCallable? StringMethod(string s, string name)
    {
        Func<List<object?>, object?>? method = name switch
        {
            "strip" => a => Arg(a, 0) is string chars ? s.Trim(chars.ToCharArray()) : s.Trim(),
            "lstrip" => a => Arg(a, 0) is string chars ? s.TrimStart(chars.ToCharArray()) : s.TrimStart(),
            "rstrip" => a => Arg(a, 0) is string chars ? s.TrimEnd(chars.ToCharArray()) : s.TrimEnd(),
            "upper" => _ => s.ToUpperInvariant(),
            "lower" => _ => s.ToLowerInvariant(),
            "title" => _ => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(s.ToLowerInvariant()),
            "capitalize" => _ => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant(),
            "startswith" => a => Prefixes(a).Any(p => s.StartsWith(p, StringComparison.Ordinal)),
            "endswith" => a => Prefixes(a).Any(p => s.EndsWith(p, StringComparison.Ordinal)),
            "split" => a => Split(s, Arg(a, 0) as string, Arg(a, 1) is long max ? (int)max : -1),
            "replace" => a => ToText(Arg(a, 0)).Length == 0 ? s : s.Replace(ToText(Arg(a, 0)), ToText(Arg(a, 1)), StringComparison.Ordinal),
            "find" => a => (long)s.IndexOf(ToText(Arg(a, 0)), StringComparison.Ordinal),
            "count" => a => (long)CountOccurrences(s, ToText(Arg(a, 0))),
            "join" => a => string.Join(s, Iterate(Arg(a, 0)).Select(ToText)),
            "isdigit" => _ => s.Length > 0 && s.All(char.IsDigit),
            "isspace" => _ => s.Length > 0 && s.All(char.IsWhiteSpace),
            "format" => a => Format(s, a),
            _ => null,
        };
        return method is null ? null : new JinjaCallable("str." + name, (a, _) => method(a));
    }

    private static IEnumerable<string> Prefixes(List<object?> args)
        => Arg(args, 0) is List<object?> options ? options.Select(ToText) : [ToText(Arg(args, 0))];

    private static int CountOccurrences(string s, string part)
    {
        if (part.Length == 0) return s.Length + 1;
        var count = 0;
        for (var i = s.IndexOf(part, StringComparison.Ordinal); i >= 0; i = s.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Python str.split: no separator splits on runs of whitespace and drops empty ends.</summary>
    private static List<object?> Split(string s, string? separator, int maxSplit)
    {
        if (separator is null)
        {
            var parts = s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Cast<object?>().ToList();
            if (maxSplit >= 0 && parts.Count > maxSplit + 1)
            {
                // Rejoin the tail: find where the (maxSplit+1)th word starts in the original.
                var index = 0;
                for (var w = 0; w < maxSplit; w++)
                {
                    while (char.IsWhiteSpace(s[index])) index++;
                    while (!char.IsWhiteSpace(s[index])) index++;
                }
                parts = parts.Take(maxSplit).Append(s[index..].TrimStart()).ToList();
            }
            return parts;
        }
        if (separator.Length == 0) throw new InvalidOperationException("empty separator");
        var pieces = maxSplit >= 0 ? s.Split(separator, maxSplit + 1) : s.Split(separator);
        return pieces.Cast<object?>().ToList();
    }

    private static string Format(string format, List<object?> args)
    {
        var builder = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '{' && i + 1 < format.Length && format[i + 1] == '}') { builder.Append(ToText(Arg(args, next++))); i++; }
            else builder.Append(format[i]);
        }
        return builder.ToString();
    }

    private static JinjaCallable? DictMethod(Dictionary<string, object?> d, string name) => name switch
    {
        "items" => new JinjaCallable("dict.items", (_, _) => d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()),
        "keys" => new JinjaCallable("dict.keys", (_, _) => d.Keys.Cast<object?>().ToList()),
        "values" => new JinjaCallable("dict.values", (_, _) => d.Values.ToList()),
        "get" => new JinjaCallable("dict.get", (a, _) => d.TryGetValue(ToText(Arg(a, 0)), out var v) ? v : Arg(a, 1)),
        _ => null,
    };

    private static JinjaCallable? ListMethod(List<object?> l, string name) => name switch
    {
        "append" => new JinjaCallable("list.append", (a, _) => { l.Add(Arg(a, 0)); return null; }),
        "index" => new JinjaCallable("list.index", (a, _) => (long)l.FindIndex(x => AreEqual(x, Arg(a, 0)))),
        _ => null,
    };

    public static Dictionary<string, object?> Globals() => new(StringComparer.Ordinal)
    {
        ["raise_exception"] = new JinjaCallable("raise_exception", (a, _) => throw new JinjaRaisedException(ToText(Arg(a, 0)))),
        ["strftime_now"] = new JinjaCallable("strftime_now", (a, _) => Strftime(DateTime.Now, ToText(Arg(a, 0)))),
        ["namespace"] = new JinjaCallable("namespace", (a, kw) =>
        {
            var ns = new JinjaNamespace();
            if (Arg(a, 0) is Dictionary<string, object?> initial) foreach (var (k, v) in initial) ns.Values[k] = v;
            foreach (var (k, v) in kw) ns.Values[k] = v;
            return ns;
        }),
        ["dict"] = new JinjaCallable("dict", (_, kw) => new Dictionary<string, object?>(kw, StringComparer.Ordinal)),
        ["range"] = new JinjaCallable("range", (a, _) =>
        {
            long start = 0, stop, step = 1;
            if (a.Count == 1) stop = (long)a[0]!;
            else { start = (long)a[0]!; stop = (long)a[1]!; if (a.Count > 2) step = (long)a[2]!; }
            if (step == 0) throw new InvalidOperationException("range() step must not be zero");
            var result = new List<object?>();
            for (var i = start; step > 0 ? i < stop : i > stop; i += step) result.Add(i);
            return result;
        }),
    };

    /// <summary>Python's strftime for the directives chat templates use.</summary>
    public static string Strftime(DateTime time, string format)
    {
        var builder = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { builder.Append(format[i]); continue; }
            var d = format[++i];
            builder.Append(d switch
            {
                'Y' => time.ToString("yyyy", c),
                'y' => time.ToString("yy", c),
                'm' => time.ToString("MM", c),
                'd' => time.ToString("dd", c),
                'e' => time.Day.ToString(c).PadLeft(2),
                '-' when i + 1 < format.Length => format[++i] switch { 'd' => time.Day.ToString(c), 'm' => time.Month.ToString(c), var x => "%-" + x },
                'H' => time.ToString("HH", c),
                'I' => time.ToString("hh", c),
                'M' => time.ToString("mm", c),
                'S' => time.ToString("ss", c),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'b' => time.ToString("MMM", c),
                'B' => time.ToString("MMMM", c),
                'a' => time.ToString("ddd", c),
                'A' => time.ToString("dddd", c),
                'j' => time.DayOfYear.ToString("000", c),
                '%' => "%",
                _ => "%" + d,
            });
        }
        return builder.ToString();
    }
}

/// <summary>raise_exception(...) called by a template.</summary>
internal sealed class JinjaRaisedException(string message) : Exception(message);
