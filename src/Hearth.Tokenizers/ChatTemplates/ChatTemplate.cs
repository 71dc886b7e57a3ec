using System.Text.Json.Nodes;

namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>One chat message as templates see it (role, content, optional tool calls).</summary>
public sealed record ChatTurn(string Role, string Content)
{
    /// <summary>Tool calls of an assistant message, as JSON objects {"name", "arguments"} (rendered as templates expect).</summary>
    public IReadOnlyList<JsonObject>? ToolCalls { get; init; }
    /// <summary>For role "tool": the id of the call answered.</summary>
    public string? ToolCallId { get; init; }
}

/// <summary>A compiled Hugging Face chat template (a Jinja subset).</summary>
public sealed class ChatTemplate
{
    private readonly List<Stmt> body;

    private ChatTemplate(string source, List<Stmt> body)
    {
        Source = source;
        this.body = body;
    }

    /// <summary>Parses a template; a syntax error names the line and column.</summary>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChatTemplate(source, JinjaParser.Parse(source));
    }

    public string Source { get; }

    /// <summary>Renders the prompt as transformers' apply_chat_template(tokenize=False) would.</summary>
    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt, string? bosToken, string? eosToken,
        IReadOnlyList<JsonObject>? tools = null)
        => Render(messages, addGenerationPrompt, bosToken, eosToken, tools, extraVariables: null);

    /// <summary>Renders with extra template variables (e.g. enable_thinking) beside the standard ones.</summary>
    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt, string? bosToken, string? eosToken,
        IReadOnlyList<JsonObject>? tools, IReadOnlyDictionary<string, JsonNode?>? extraVariables)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages.Select(m => (object?)MessageValue(m)).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = bosToken ?? "",
            ["eos_token"] = eosToken ?? "",
        };
        if (tools is not null) variables["tools"] = tools.Select(t => JinjaValues.FromJson(t)).ToList();
        if (extraVariables is not null)
            foreach (var (name, value) in extraVariables) variables[name] = JinjaValues.FromJson(value);
        return new JinjaEvaluator(Source).Render(body, variables);
    }

    /// <summary>Renders messages given as JSON objects, with every field they carry (content null or a list of parts,
    /// tool_calls, reasoning_content, ...), exactly as a Python/JS caller would pass them.</summary>
    public string Render(IReadOnlyList<JsonObject> messages, bool addGenerationPrompt, string? bosToken, string? eosToken,
        IReadOnlyList<JsonObject>? tools, IReadOnlyDictionary<string, JsonNode?>? extraVariables)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (extraVariables is not null)
            foreach (var (name, value) in extraVariables) variables[name] = JinjaValues.FromJson(value);
        variables["messages"] = messages.Select(m => JinjaValues.FromJson(m)).ToList();
        variables["add_generation_prompt"] = addGenerationPrompt;
        variables["bos_token"] = bosToken ?? "";
        variables["eos_token"] = eosToken ?? "";
        if (tools is not null) variables["tools"] = tools.Select(t => JinjaValues.FromJson(t)).ToList();
        return new JinjaEvaluator(Source).Render(body, variables);
    }

    private static Dictionary<string, object?> MessageValue(ChatTurn turn)
    {
        var message = new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = turn.Role, ["content"] = turn.Content };
        if (turn.ToolCalls is not null) message["tool_calls"] = turn.ToolCalls.Select(t => JinjaValues.FromJson(t)).ToList();
        if (turn.ToolCallId is not null) message["tool_call_id"] = turn.ToolCallId;
        return message;
    }
}
