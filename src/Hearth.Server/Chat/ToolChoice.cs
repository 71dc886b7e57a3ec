using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Server.Api;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Server.Chat;

public enum ToolChoiceMode
{
    /// <summary>The model decides (OpenAI's default when tools are given).</summary>
    Auto,
    /// <summary>Tools are not offered.</summary>
    None,
    /// <summary>The reply must call one of the tools.</summary>
    Required,
    /// <summary>The reply must call <see cref="ToolChoice.FunctionName"/>.</summary>
    Function,
}

/// <summary>How the model writes a call, as its chat template teaches it.</summary>
public enum ToolCallFormat
{
    /// <summary>Llama 3.1: a bare JSON object {"name": ..., "parameters": {...}}.</summary>
    LlamaJson,
    /// <summary>Qwen / Hermes: &lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;.</summary>
    Hermes,
}

/// <summary>
/// A request's tool_choice, and how "required" and a named function are enforced: the generation prompt is followed by
/// the opening of a call in the model's own format (for a named function up to its arguments), so the model continues
/// inside the call. The reply is then read as that prefix plus what the model wrote. A model that writes something that
/// is not a well-formed call still yields a call, as OpenAI's API does (its documentation warns that arguments may not be
/// valid JSON): the name the model wrote (or the named function) and, as arguments, the first complete JSON object it
/// wrote after the name, else its raw text.
/// </summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? FunctionName = null)
{
    public static readonly ToolChoice Auto = new(ToolChoiceMode.Auto);

    /// <summary>Whether the reply must be a call.</summary>
    public bool Forces => Mode is ToolChoiceMode.Required or ToolChoiceMode.Function;

    /// <summary>Reads "tool_choice" (absent: auto); a named function must be one of <paramref name="tools"/>.</summary>
    internal static ToolChoice Read(JsonFields f, IReadOnlyList<JsonObject>? tools)
    {
        if (f.Get("tool_choice") is not { } choice) return Auto;
        if (choice.ValueKind == JsonValueKind.String)
        {
            var value = choice.GetString();
            var mode = value switch
            {
                "none" => ToolChoiceMode.None,
                "auto" => ToolChoiceMode.Auto,
                "required" => ToolChoiceMode.Required,
                _ => throw ApiException.BadRequest($"'tool_choice' must be \"none\", \"auto\", \"required\" or an object naming a function (got \"{value}\")", "tool_choice"),
            };
            if (mode == ToolChoiceMode.Required && tools is null)
                throw ApiException.BadRequest("'tool_choice' is \"required\" but no 'tools' were given", "tool_choice");
            return new ToolChoice(mode);
        }
        if (choice.ValueKind != JsonValueKind.Object) throw ApiException.WrongType("tool_choice", "a string or an object");
        if (tools is null) throw ApiException.BadRequest("'tool_choice' names a function but no 'tools' were given", "tool_choice");
        var c = new JsonFields(choice, "tool_choice");
        var type = c.String("type") ?? "function";
        if (type != "function") throw ApiException.BadRequest($"'tool_choice.type' must be \"function\" (got \"{type}\")", "tool_choice.type");
        var function = c.Object("function") ?? throw ApiException.Missing("tool_choice.function");
        var name = function.RequiredString("name");
        if (!tools.Any(t => t["function"]?["name"]?.GetValue<string>() == name))
            throw ApiException.BadRequest($"'tool_choice.function.name' names \"{name}\", which is not one of the 'tools'", "tool_choice.function.name");
        return new ToolChoice(ToolChoiceMode.Function, name);
    }

    /// <summary>The call format the template teaches (Hermes when it writes &lt;tool_call&gt;, else Llama 3.1's JSON).</summary>
    public static ToolCallFormat FormatOf(ChatTemplate? template) =>
        template?.Source.Contains(ToolCallParser.HermesOpen, StringComparison.Ordinal) == true ? ToolCallFormat.Hermes : ToolCallFormat.LlamaJson;

    /// <summary>The text the generation prompt is followed by ("" unless the choice forces a call).</summary>
    public string Prefix(ToolCallFormat format)
    {
        if (!Forces) return "";
        string open = format == ToolCallFormat.Hermes ? ToolCallParser.HermesOpen + "\n{\"name\": " : "{\"name\": ";
        if (Mode == ToolChoiceMode.Required) return open + "\"";
        return open + JsonSerializer.Serialize(FunctionName) + (format == ToolCallFormat.Hermes ? ", \"arguments\": " : ", \"parameters\": ");
    }

    /// <summary>Stop strings that end a forced call (the Hermes close tag; Llama 3.1 ends its call with end-of-turn).</summary>
    public IReadOnlyList<string> StopStrings(ToolCallFormat format) =>
        Forces && format == ToolCallFormat.Hermes ? [ToolCallParser.HermesClose] : [];

    /// <summary>The calls of a forced reply: <paramref name="generated"/> is what the model wrote after <see cref="Prefix"/>.</summary>
    public IReadOnlyList<ParsedToolCall> ParseForced(ToolCallFormat format, string generated)
    {
        if (!Forces) throw new InvalidOperationException("tool_choice does not force a call");
        var (_, calls) = ToolCallParser.Parse(Prefix(format) + generated);
        if (calls.Count > 0) return Mode == ToolChoiceMode.Function ? [calls[0] with { Name = FunctionName! }] : calls;

        // Not a well-formed call: the name as written (or named), the first complete JSON object after it as arguments.
        string name = FunctionName ?? "", rest = generated;
        if (Mode == ToolChoiceMode.Required)
        {
            int quote = generated.IndexOf('"', StringComparison.Ordinal);
            name = (quote < 0 ? generated : generated[..quote]).Trim();
            rest = quote < 0 ? "" : generated[(quote + 1)..];
        }
        int close = rest.IndexOf(ToolCallParser.HermesClose, StringComparison.Ordinal);
        if (close >= 0) rest = rest[..close];
        return [new ParsedToolCall(name, FirstObject(rest) ?? rest.Trim())];
    }

    private static string? FirstObject(string text)
    {
        for (int start = text.IndexOf('{', StringComparison.Ordinal); start >= 0; start = text.IndexOf('{', start + 1))
        {
            int end = ToolCallParser.ObjectEnd(text, start);
            if (end < 0) return null;
            try
            {
                return JsonNode.Parse(text[start..end]) is JsonObject ? text[start..end] : null;
            }
            catch (JsonException)
            {
                // Not JSON from this brace: try the next one.
            }
        }
        return null;
    }
}
