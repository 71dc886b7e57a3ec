using System.Text.Json.Nodes;

namespace Hearth.Server.Tests;

/// <summary>The official `openai` npm package (js/openai-client.mjs) against the real servers: chat and text completions,
/// streaming and not, stop strings, max tokens, n, usage, tool calls (Llama 3.1 and Qwen formats) and errors.</summary>
[Collection("server")]
public class OpenAiNpmTests(TinyServer server)
{
    private readonly ToolServers _tools = new();

    [Fact]
    public async Task The_openai_npm_client_gets_what_the_golden_says()
    {
        NodeRunner.RequirePackages("openai");
        await _tools.InitializeAsync();
        try
        {
            _tools.Llama.Engine.Reply = _ => """{"name": "get_weather", "parameters": {"city": "Paris"}}""";
            _tools.Qwen.Engine.Reply = _ => "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";

            var golden = Golden.Chat.Select(g => (Case: g, Text: server.Model.Tokenizer.Decode(Golden.ReplyIds(g), skipSpecialTokens: true)))
                .First(p => p.Text.Length >= 3);
            string stop = golden.Text.Substring(2, 1);
            var input = new JsonObject
            {
                ["tiny"] = server.BaseUrl,
                ["llama"] = _tools.Llama.BaseUrl,
                ["qwen"] = _tools.Qwen.BaseUrl,
                ["llama_model"] = _tools.Llama.Engine.ModelName,
                ["qwen_model"] = _tools.Qwen.Engine.ModelName,
                ["key"] = TinyServer.ApiKey,
                ["model"] = TinyServer.ModelName,
                ["prompt"] = golden.Case.Text,
                ["stop"] = stop,
                ["completion_prompt"] = "Once upon a time",
            };
            var file = Path.GetTempFileName();
            await File.WriteAllTextAsync(file, input.ToJsonString());
            var output = await NodeRunner.RunAsync("openai-client.mjs", TimeSpan.FromSeconds(60), file);
            File.Delete(file);
            var r = JsonNode.Parse(output)!;

            Assert.Equal(TinyServer.ModelName, r["models"]![0]!.GetValue<string>());

            Assert.Equal(golden.Text, r["chat"]!["content"]!.GetValue<string>());
            Assert.Equal("stop", r["chat"]!["finish"]!.GetValue<string>());
            Assert.Equal(golden.Case.PromptIds.Length, r["chat"]!["usage"]!["prompt_tokens"]!.GetValue<int>());

            Assert.Equal(golden.Text, r["chat_stream"]!["content"]!.GetValue<string>());
            Assert.Equal("stop", r["chat_stream"]!["finish"]!.GetValue<string>());
            Assert.Equal(Golden.ReplyIds(golden.Case).Length + 1, r["chat_stream"]!["usage"]!["completion_tokens"]!.GetValue<int>());

            Assert.Equal(golden.Text[..golden.Text.IndexOf(stop, StringComparison.Ordinal)], r["chat_stop"]!["content"]!.GetValue<string>());
            Assert.Equal("length", r["chat_max_tokens"]!["finish"]!.GetValue<string>());
            Assert.Equal(1, r["chat_max_tokens"]!["usage"]!["completion_tokens"]!.GetValue<int>());

            var n = r["chat_n"]!;
            Assert.Equal([0, 1, 2], n["indexes"]!.AsArray().Select(i => i!.GetValue<int>()));
            Assert.All(n["contents"]!.AsArray(), c => Assert.Equal(golden.Text, c!.GetValue<string>()));
            Assert.Equal(golden.Case.PromptIds.Length, n["usage"]!["prompt_tokens"]!.GetValue<int>());

            // Text completion: greedy continuation of the prompt ids, checked against the runtime's own decoding.
            var prompt = server.Model.Encode("Once upon a time");
            var expected = server.Model.Generate(new Runtime.Generation.GenerationRequest { PromptIds = prompt, MaxNewTokens = 8 });
            Assert.Equal(expected.Text, r["completion"]!["text"]!.GetValue<string>());
            Assert.Equal(expected.Text, r["completion_stream"]!["text"]!.GetValue<string>());
            Assert.Equal(prompt.Length, r["completion_stream"]!["usage"]!["prompt_tokens"]!.GetValue<int>());

            foreach (var name in new[] { "tools_llama", "tools_llama_stream", "tools_qwen", "tools_qwen_stream" })
            {
                var t = r[name]!;
                Assert.True(t["error"] is null, $"{name}: {t.ToJsonString()}");
                Assert.Equal("tool_calls", t["finish"]!.GetValue<string>());
                var call = Assert.Single(t["calls"]!.AsArray())!;
                Assert.Equal("get_weather", call["name"]!.GetValue<string>());
                Assert.Equal("Paris", JsonNode.Parse(call["arguments"]!.GetValue<string>())!["city"]!.GetValue<string>());
            }
            // Qwen's reply had text before the call: it stays content.
            Assert.Equal("Let me check.", r["tools_qwen"]!["content"]!.GetValue<string>());
            Assert.Equal("Let me check.", r["tools_qwen_stream"]!["content"]!.GetValue<string>().Trim());

            Assert.Equal(401, r["wrong_key"]!["status"]!.GetValue<int>());
            Assert.Equal("AuthenticationError", r["wrong_key"]!["type"]!.GetValue<string>());
            Assert.Equal(404, r["unknown_model"]!["status"]!.GetValue<int>());
            Assert.Equal(400, r["bad_temperature"]!["status"]!.GetValue<int>());
            Assert.Contains("temperature", r["bad_temperature"]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            await _tools.DisposeAsync();
        }
    }
}
