using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hearth.Server.Api;

/// <summary>A parsed POST /v1/chat/completions body.</summary>
internal sealed record ChatRequest
{
    public required SamplingParameters Parameters { get; init; }
    /// <summary>Messages as the chat template sees them (content flattened to text, tool-call arguments parsed).</summary>
    public required IReadOnlyList<JsonObject> Messages { get; init; }
    /// <summary>Tool definitions passed to the template; null when none (or tool_choice is "none").</summary>
    public IReadOnlyList<JsonObject>? Tools { get; init; }
    /// <summary>tool_choice: "required" and a named function make the reply a call (<see cref="Chat.ToolChoice"/>).</summary>
    public Chat.ToolChoice ToolChoice { get; init; } = Chat.ToolChoice.Auto;
    public bool Logprobs { get; init; }
    public int TopLogprobs { get; init; }

    public const int MaxMessages = 4096, MaxTools = 128;

    public static ChatRequest Read(JsonElement root, ServerOptions options)
    {
        var f = new JsonFields(root, "");
        var parameters = SamplingParameters.Read(f, options.MaxN, options.DefaultTemperature);
        var messages = ReadMessages(f);
        var tools = ReadTools(f);
        var toolChoice = Chat.ToolChoice.Read(f, tools);
        if (toolChoice.Mode == Chat.ToolChoiceMode.None) tools = null;
        f.Bool("parallel_tool_calls");

        bool logprobs = f.Bool("logprobs") ?? false;
        int topLogprobs = f.Int("top_logprobs", 0, 20) ?? 0;
        if (topLogprobs > 0 && !logprobs) throw ApiException.BadRequest("'top_logprobs' needs 'logprobs' set to true", "top_logprobs");
        return new ChatRequest { Parameters = parameters, Messages = messages, Tools = tools, ToolChoice = toolChoice, Logprobs = logprobs, TopLogprobs = topLogprobs };
    }

    /// <summary>Reads a messages array (also used by `hearth template`).</summary>
    public static IReadOnlyList<JsonObject> ReadMessages(JsonFields f)
    {
        var array = f.Array("messages") ?? throw ApiException.Missing("messages");
        int count = array.GetArrayLength();
        if (count == 0) throw ApiException.BadRequest("'messages' must hold at least one message", "messages");
        if (count > MaxMessages) throw ApiException.BadRequest($"'messages' may hold at most {MaxMessages} messages (got {count})", "messages");
        var result = new List<JsonObject>(count);
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result.Add(ReadMessage(new JsonFields(item, $"messages[{i}]")));
            i++;
        }
        return result;
    }

    private static JsonObject ReadMessage(JsonFields m)
    {
        var role = m.RequiredString("role");
        if (role == "developer") role = "system";
        if (role is not ("system" or "user" or "assistant" or "tool"))
            throw ApiException.BadRequest($"'{m.PathOf("role")}' must be one of system, developer, user, assistant, tool (got \"{role}\")", m.PathOf("role"));
        var message = new JsonObject { ["role"] = role };
        var content = ReadContent(m);
        var toolCalls = role == "assistant" ? ReadToolCalls(m) : null;
        if (content is null && toolCalls is null)
            throw ApiException.Missing(m.PathOf("content"));
        message["content"] = content ?? "";
        if (toolCalls is not null) message["tool_calls"] = toolCalls;
        if (role == "tool")
        {
            var id = m.String("tool_call_id") ?? throw ApiException.Missing(m.PathOf("tool_call_id"));
            message["tool_call_id"] = id;
        }
        if (m.String("name") is { } name) message["name"] = name;
        return message;
    }

    /// <summary>String content, or the text parts of a parts array joined; other part types are refused by name.</summary>
    private static string? ReadContent(JsonFields m)
    {
        if (m.Get("content") is not { } content) return null;
        if (content.ValueKind == JsonValueKind.String) return content.GetString();
        if (content.ValueKind != JsonValueKind.Array) throw ApiException.WrongType(m.PathOf("content"), "a string or an array of content parts");
        var text = new StringBuilder();
        int j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var p = new JsonFields(part, $"{m.PathOf("content")}[{j}]");
            var type = p.RequiredString("type");
            if (type != "text")
                throw ApiException.BadRequest($"'{p.PathOf("type")}': only text content parts are supported (got \"{type}\")", p.PathOf("type"), "unsupported_content");
            text.Append(p.RequiredString("text"));
            j++;
        }
        return text.ToString();
    }

    private static JsonArray? ReadToolCalls(JsonFields m)
    {
        if (m.Array("tool_calls") is not { } calls) return null;
        var result = new JsonArray();
        int j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var c = new JsonFields(call, $"{m.PathOf("tool_calls")}[{j}]");
            var function = c.Object("function") ?? throw ApiException.Missing(c.PathOf("function"));
            var name = function.RequiredString("name");
            var argumentsText = function.String("arguments") ?? "{}";
            // Templates expect arguments as a mapping (transformers' convention); text that is not JSON stays text.
            JsonNode? arguments;
            try { arguments = JsonNode.Parse(argumentsText); }
            catch (JsonException) { arguments = JsonValue.Create(argumentsText); }
            var entry = new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
            };
            if (c.String("id") is { } id) entry["id"] = id;
            result.Add(entry);
            j++;
        }
        return result.Count == 0 ? null : result;
    }

    /// <summary>Reads a tools array (also used by `hearth template`).</summary>
    public static IReadOnlyList<JsonObject>? ReadTools(JsonFields f)
    {
        if (f.Array("tools") is not { } tools) return null;
        int count = tools.GetArrayLength();
        if (count == 0) return null;
        if (count > MaxTools) throw ApiException.BadRequest($"'tools' may hold at most {MaxTools} tools (got {count})", "tools");
        var result = new List<JsonObject>(count);
        int i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var t = new JsonFields(tool, $"tools[{i}]");
            var type = t.String("type") ?? "function";
            if (type != "function") throw ApiException.BadRequest($"'{t.PathOf("type")}' must be \"function\" (got \"{type}\")", t.PathOf("type"));
            var function = t.Object("function") ?? throw ApiException.Missing(t.PathOf("function"));
            function.RequiredString("name");
            function.String("description");
            function.Object("parameters");
            result.Add(JsonNode.Parse(tool.GetRawText())!.AsObject());
            i++;
        }
        return result;
    }
}
