using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Hearth.Server.Tests;

/// <summary>The prompts the server builds from OpenAI requests (tools, tool calls, tool results, content parts,
/// developer messages) equal what Hugging Face's own Jinja renders from the same requests (js/render-template.mjs).</summary>
[Collection("tools")]
public class TemplateReferenceTests(ToolServers servers)
{
    private static readonly JsonArray Tools = (JsonArray)JsonNode.Parse("""
        [{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]}}},
         {"type": "function", "function": {"name": "add", "description": "Add two numbers",
          "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}}]
        """)!;

    private static IEnumerable<JsonObject> Requests()
    {
        yield return new JsonObject { ["messages"] = JsonNode.Parse("""[{"role": "user", "content": "Hello!"}]""") };
        yield return new JsonObject
        {
            ["messages"] = JsonNode.Parse("""[{"role": "developer", "content": "You are terse."}, {"role": "user", "content": [{"type": "text", "text": "Weather in "}, {"type": "text", "text": "Paris?"}]}]"""),
            ["tools"] = Tools.DeepClone(),
        };
        yield return new JsonObject
        {
            ["messages"] = JsonNode.Parse("""
                [{"role": "system", "content": "Use tools when needed."},
                 {"role": "user", "content": "What is 2 + 3?"},
                 {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{\"a\": 2, \"b\": 3}"}}]},
                 {"role": "tool", "tool_call_id": "call_1", "content": "5"},
                 {"role": "assistant", "content": "It is 5."},
                 {"role": "user", "content": "And the weather in Oslo?"}]
                """),
            ["tools"] = Tools.DeepClone(),
        };
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen")]
    public async Task Server_prompts_equal_huggingface_jinja_renders(string name)
    {
        NodeRunner.RequirePackages("@huggingface/jinja");
        var s = name == "llama" ? servers.Llama : servers.Qwen;
        var (_, template) = ToolServers.Load(name == "llama" ? "llama3_2" : "qwen3");
        var tokenizer = s.Engine.Tokenizer;
        s.Engine.Reply = _ => "ok";

        var requests = Requests().ToList();
        var serverPrompts = new List<string>();
        foreach (var request in requests)
        {
            var body = (JsonObject)request.DeepClone();
            body["model"] = s.Engine.ModelName;
            using var response = await s.Http.PostAsync("/v1/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            serverPrompts.Add(tokenizer.Decode(s.Engine.Prompts[^1]));
        }

        var input = new JsonObject
        {
            ["template"] = template.Source,
            ["bos_token"] = tokenizer.BosId is int bos ? tokenizer.TokenString(bos) : "",
            ["eos_token"] = tokenizer.TokenString(tokenizer.EosIds[0]),
            ["requests"] = new JsonArray([.. requests.Select(r => (JsonNode)r.DeepClone())]),
        };
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, input.ToJsonString());
            var rendered = JsonNode.Parse(await NodeRunner.RunAsync("render-template.mjs", TimeSpan.FromSeconds(30), file))!.AsArray();
            Assert.Equal(requests.Count, rendered.Count);
            for (int i = 0; i < requests.Count; i++)
                Assert.Equal(rendered[i]!.GetValue<string>(), serverPrompts[i]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
