using System.Text.Json.Nodes;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Tokenizers.Tests;

/// <summary>The real chat templates rendered over the golden conversations, against @huggingface/jinja (make_goldens.mjs).</summary>
public class GoldenChatTemplateTests
{
    // The real templates of the packaged tokenizers (llama3_2: Meta's tool-capable Llama 3.x one), plus Hearth's own tool-use template (tool_use.jinja).
    private static readonly string[] WithTemplates = ["llama3_1", "llama3_2", "qwen3", "gemma3", "deepseek_v3", "tool_use"];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in WithTemplates)
        {
            var count = TestData.Golden($"{name}.chat.json")["renders"]!.AsArray().Count;
            for (var i = 0; i < count; i++) data.Add(name, i);
        }
        return data;
    }

    private static readonly Dictionary<string, ChatTemplate> Templates = [];

    private static ChatTemplate Template(string name)
    {
        lock (Templates)
        {
            if (!Templates.TryGetValue(name, out var template))
            {
                var source = name == "tool_use"
                    ? File.ReadAllText(Path.Combine(TestData.GoldenDir, "templates", "tool_use.jinja"))
                    : TokenizerLoader.ReadChatTemplate(Path.Combine(TestData.External(name), "tokenizer_config.json"));
                Assert.NotNull(source);
                Templates[name] = template = ChatTemplate.Parse(source);
            }
            return template;
        }
    }

    internal static ChatTurn Turn(JsonNode message) => new(message["role"]!.GetValue<string>(), message["content"]!.GetValue<string>())
    {
        ToolCalls = message["tool_calls"]?.AsArray().Select(c => (JsonObject)c!.DeepClone()).ToList(),
        ToolCallId = message["tool_call_id"]?.GetValue<string>(),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_matches_golden(string name, int index)
    {
        var golden = TestData.Golden($"{name}.chat.json");
        var render = golden["renders"]![index]!;
        var conversation = golden["conversations"]!.AsArray().First(c => c!["name"]!.GetValue<string>() == render["conversation"]!.GetValue<string>())!;
        var messages = conversation["messages"]!.AsArray().Select(m => (JsonObject)m!.DeepClone()).ToList();
        var tools = conversation["tools"]?.AsArray().Select(t => (JsonObject)t!.DeepClone()).ToList();
        var variables = render["variables"]!.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone());
        string Render() => Template(name).Render(messages, render["add_generation_prompt"]!.GetValue<bool>(),
            golden["bos_token"]?.GetValue<string>(), golden["eos_token"]?.GetValue<string>(), tools, variables);
        if (render["error"]?.GetValue<string>() is { } error)
        {
            // The reference raised (raise_exception in the template): so must we, with the template's message.
            var e = Assert.Throws<TemplateException>(Render);
            Assert.Contains(error, e.Message, StringComparison.Ordinal);
        }
        else
        {
            var expected = render["rendered"]!.GetValue<string>();
            Assert.Equal(expected, Render());
            // The ChatTurn overload (what the runtime uses) renders the same when the messages fit it.
            string[] turnFields = ["role", "content", "tool_calls", "tool_call_id"];
            if (variables.Count == 0 && messages.All(m => m.All(p => turnFields.Contains(p.Key)) && m["content"] is JsonValue))
                Assert.Equal(expected, Template(name).Render(messages.Select(m => Turn(m)).ToList(), render["add_generation_prompt"]!.GetValue<bool>(),
                    golden["bos_token"]?.GetValue<string>(), golden["eos_token"]?.GetValue<string>(), tools));
        }
    }
}
