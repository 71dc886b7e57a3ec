using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hearth.Server.Chat;

/// <summary>A function call the model asked for: its name and its arguments as JSON text.</summary>
public sealed record ParsedToolCall(string Name, string ArgumentsJson);

/// <summary>
/// Reads tool calls out of generated text, in the two formats the templates teach:
/// Llama 3.1 (a bare JSON object <c>{"name": ..., "parameters": {...}}</c>, possibly after <c>&lt;|python_tag|&gt;</c>,
/// several separated by ';') and Qwen / Hermes (<c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>,
/// possibly after some text). Text that is not a well-formed call stays content.
/// </summary>
public static class ToolCallParser
{
    public const string HermesOpen = "<tool_call>", HermesClose = "</tool_call>", PythonTag = "<|python_tag|>";

    /// <summary>Splits <paramref name="text"/> into content (null when nothing but calls) and calls (empty when none).</summary>
    public static (string? Content, IReadOnlyList<ParsedToolCall> Calls) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains(HermesOpen, StringComparison.Ordinal) && ParseHermes(text) is { } hermes) return hermes;
        if (ParseJsonCalls(text) is { } calls) return (null, calls);
        return (text, []);
    }

    private static (string? Content, IReadOnlyList<ParsedToolCall> Calls)? ParseHermes(string text)
    {
        var calls = new List<ParsedToolCall>();
        var content = new System.Text.StringBuilder();
        int at = 0;
        while (true)
        {
            int open = text.IndexOf(HermesOpen, at, StringComparison.Ordinal);
            if (open < 0) { content.Append(text, at, text.Length - at); break; }
            content.Append(text, at, open - at);
            int bodyStart = open + HermesOpen.Length;
            int close = text.IndexOf(HermesClose, bodyStart, StringComparison.Ordinal);
            // An unclosed last call (generation ended on EOS or a stop) still counts when its JSON is complete.
            var body = close < 0 ? text[bodyStart..] : text[bodyStart..close];
            var call = ToCall(body.Trim());
            if (call is null) return null;
            calls.Add(call);
            if (close < 0) break;
            at = close + HermesClose.Length;
        }
        var rest = content.ToString().Trim();
        return (rest.Length == 0 ? null : rest, calls);
    }

    /// <summary>Llama 3.1 style: the whole reply is one or more JSON call objects (or an array of them).</summary>
    private static List<ParsedToolCall>? ParseJsonCalls(string text)
    {
        var body = text.Trim();
        if (body.StartsWith(PythonTag, StringComparison.Ordinal)) body = body[PythonTag.Length..].TrimStart();
        if (body.Length == 0 || (body[0] != '{' && body[0] != '[')) return null;
        if (body[0] == '[')
        {
            try
            {
                if (JsonNode.Parse(body) is not JsonArray array || array.Count == 0) return null;
                var list = new List<ParsedToolCall>();
                foreach (var item in array)
                {
                    if (item is not JsonObject o || ToCall(o) is not { } c) return null;
                    list.Add(c);
                }
                return list;
            }
            catch (JsonException) { return null; }
        }
        var calls = new List<ParsedToolCall>();
        int at = 0;
        while (at < body.Length)
        {
            while (at < body.Length && (char.IsWhiteSpace(body[at]) || body[at] is ';' or ',')) at++;
            if (at == body.Length) break;
            if (body[at] != '{') return null;
            int end = ObjectEnd(body, at);
            if (end < 0) return null;
            var call = ToCall(body[at..end]);
            if (call is null) return null;
            calls.Add(call);
            at = end;
        }
        return calls.Count == 0 ? null : calls;
    }

    /// <summary>Index just past the JSON object starting at <paramref name="start"/>, or -1 when it does not close.</summary>
    internal static int ObjectEnd(string text, int start)
    {
        int depth = 0;
        bool inString = false, escaped = false;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            else if (c is '{' or '[') depth++;
            else if (c is '}' or ']')
            {
                depth--;
                if (depth == 0) return i + 1;
            }
        }
        return -1;
    }

    private static ParsedToolCall? ToCall(string json)
    {
        try
        {
            return JsonNode.Parse(json) is JsonObject o ? ToCall(o) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ParsedToolCall? ToCall(JsonObject o)
    {
        if (o["name"] is not JsonValue nameValue || !nameValue.TryGetValue(out string? name) || string.IsNullOrEmpty(name)) return null;
        var arguments = o["arguments"] ?? o["parameters"];
        string argumentsJson = arguments switch
        {
            null => "{}",
            // Some models write the arguments as a JSON string already.
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => arguments.ToJsonString(),
        };
        return new ParsedToolCall(name, argumentsJson);
    }
}
