using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Core;
using Hearth.Server.Api;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Server.Chat;

/// <summary>A chat prompt as the server builds it: its text, its ids, and stop strings the format needs.</summary>
public sealed record RenderedChatPrompt(string Text, int[] Ids, IReadOnlyList<string> StopStrings);

/// <summary>
/// Builds the prompt of a chat request with the model's chat template (messages and tools as the template's
/// variables, as transformers' apply_chat_template does). The server and `hearth template` share it, so the
/// template command prints exactly what the server sends to the model.
/// </summary>
public static class ChatPrompts
{
    public const string FallbackStop = "\nUser:";

    /// <param name="assistantPrefix">Text the assistant's turn starts with after the generation prompt (a forced tool call's
    /// opening, <see cref="ToolChoice.Prefix"/>); the model continues from it.</param>
    public static RenderedChatPrompt Render(ITokenizer tokenizer, ChatTemplate? template, IReadOnlyList<JsonObject> messages,
        IReadOnlyList<JsonObject>? tools, bool addGenerationPrompt = true, string assistantPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(messages);
        string? bosText = tokenizer.BosId is int bos ? tokenizer.TokenString(bos) : null;
        string? eosText = tokenizer.EosIds.Count > 0 ? tokenizer.TokenString(tokenizer.EosIds[0]) : null;

        if (template is null)
        {
            if (tools is { Count: > 0 })
                throw ApiException.BadRequest("the model has no chat template, so it cannot be offered tools", "tools", "unsupported_parameter");
            // Same transcript as the runtime's ChatPromptBuilder for template-less models.
            var transcript = string.Concat(messages.Select(m => $"{Capitalize(Text(m, "role"))}: {Text(m, "content")}\n"))
                + (addGenerationPrompt ? "Assistant:" : "");
            return new RenderedChatPrompt(transcript, tokenizer.Encode(transcript, addSpecialTokens: true), [FallbackStop]);
        }

        string text;
        try
        {
            text = template.Render(messages, addGenerationPrompt, bosText, eosText, tools, extraVariables: null);
        }
        catch (TemplateException e)
        {
            throw ApiException.BadRequest($"the model's chat template rejected the request: {e.Message}", "messages", "template_error");
        }
        catch (Exception e) when (e is not (ApiException or OutOfMemoryException))
        {
            // The template met input it cannot handle (a value of an unexpected type): the request's fault, not the server's.
            throw ApiException.BadRequest($"the model's chat template failed on these messages: {e.Message}", "messages", "template_error");
        }
        if (addGenerationPrompt) text += assistantPrefix;
        // Templates that write the BOS text themselves must not get a second BOS from the tokenizer.
        bool hasBos = !string.IsNullOrEmpty(bosText) && text.StartsWith(bosText, StringComparison.Ordinal);
        return new RenderedChatPrompt(text, tokenizer.Encode(text, addSpecialTokens: !hasBos), []);
    }

    /// <summary>Renders from JSON text: <paramref name="messagesJson"/> is an array of OpenAI messages or an object with
    /// "messages" (and optionally "tools"); <paramref name="toolsJson"/> an array of OpenAI tools. Errors are
    /// <see cref="HearthException"/>s naming the field.</summary>
    public static RenderedChatPrompt RenderJson(ITokenizer tokenizer, ChatTemplate? template, string messagesJson, string? toolsJson,
        bool addGenerationPrompt)
    {
        try
        {
            using var messagesDoc = Parse(messagesJson, "messages");
            var root = messagesDoc.RootElement;
            JsonElement wrapped = root.ValueKind == JsonValueKind.Array ? Wrap("messages", root) : root;
            var fields = new JsonFields(wrapped, "");
            var messages = ChatRequest.ReadMessages(fields);
            var tools = ChatRequest.ReadTools(fields);
            if (toolsJson is not null)
            {
                using var toolsDoc = Parse(toolsJson, "tools");
                var t = toolsDoc.RootElement;
                tools = ChatRequest.ReadTools(new JsonFields(t.ValueKind == JsonValueKind.Array ? Wrap("tools", t) : t, ""));
            }
            // A whole request body may carry tool_choice: the prompt then ends as the server's would.
            var choice = ToolChoice.Read(fields, tools);
            if (choice.Mode == ToolChoiceMode.None) tools = null;
            return Render(tokenizer, template, messages, tools, addGenerationPrompt, choice.Prefix(ToolChoice.FormatOf(template)));
        }
        catch (ApiException e)
        {
            throw new HearthException(e.Message);
        }
    }

    private static JsonDocument Parse(string json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new HearthException($"{what}: not valid JSON ({e.Message})");
        }
    }

    private static JsonElement Wrap(string name, JsonElement value)
    {
        var node = new JsonObject { [name] = JsonNode.Parse(value.GetRawText()) };
        return JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
    }

    private static string Text(JsonObject message, string field) =>
        message[field] is JsonValue v && v.TryGetValue(out string? s) ? s : "";

    private static string Capitalize(string role) =>
        role.Length == 0 ? role : char.ToUpperInvariant(role[0]) + role[1..];
}
