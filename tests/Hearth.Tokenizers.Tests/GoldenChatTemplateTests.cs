using System.Text.Json.Nodes;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Tokenizers.Tests;

/// <summary>The real chat templates rendered over the golden conversations, against @huggingface/jinja (make_goldens.mjs).</summary>
public class GoldenChatTemplateTests
{
    private static readonly string[] WithTemplates = ["llama3_1", "qwen3"];

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
                var source = TokenizerLoader.ReadChatTemplate(Path.Combine(TestData.External(name), "tokenizer_config.json"));
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
        var messages = conversation["messages"]!.AsArray().Select(m => Turn(m!)).ToList();
        var tools = conversation["tools"]?.AsArray().Select(t => (JsonObject)t!.DeepClone()).ToList();
        Assert.Null(render["error"]?.GetValue<string>());
        var rendered = Template(name).Render(messages, render["add_generation_prompt"]!.GetValue<bool>(),
            golden["bos_token"]?.GetValue<string>(), golden["eos_token"]?.GetValue<string>(), tools);
        Assert.Equal(render["rendered"]!.GetValue<string>(), rendered);
    }
}
