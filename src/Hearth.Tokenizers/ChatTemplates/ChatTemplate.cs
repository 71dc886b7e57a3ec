namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>One chat message as templates see it (role, content, optional tool calls).</summary>
public sealed record ChatTurn(string Role, string Content)
{
    /// <summary>Tool calls of an assistant message, as JSON objects {"name", "arguments"} (rendered as templates expect).</summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonObject>? ToolCalls { get; init; }
    /// <summary>For role "tool": the id of the call answered.</summary>
    public string? ToolCallId { get; init; }
}

/// <summary>A compiled Hugging Face chat template (a Jinja subset).</summary>
public sealed class ChatTemplate
{
    private ChatTemplate() => throw new NotImplementedException();

    /// <summary>Parses a template; a syntax error names the line and column.</summary>
    public static ChatTemplate Parse(string source) => throw new NotImplementedException();

    public string Source => throw new NotImplementedException();

    /// <summary>Renders the prompt as transformers' apply_chat_template(tokenize=False) would.</summary>
    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt, string? bosToken, string? eosToken,
        IReadOnlyList<System.Text.Json.Nodes.JsonObject>? tools = null) => throw new NotImplementedException();
}
