using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Hearth.Server.Tests;

/// <summary>The official OpenAI .NET SDK against the real server; replies checked against the PyTorch greedy golden.</summary>
[Collection("server")]
public class OpenAiDotnetSdkTests(TinyServer server)
{
    private ChatClient Client(string? key = TinyServer.ApiKey, string model = TinyServer.ModelName) =>
        new(model, new ApiKeyCredential(key ?? "none"), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.BaseUrl + "/v1"),
            // Errors must surface at once: the SDK would otherwise retry 429s and 5xx.
            RetryPolicy = new ClientRetryPolicy(0),
        });

    private string Expected(Golden.ChatCase c) => server.Model.Tokenizer.Decode(Golden.ReplyIds(c), skipSpecialTokens: true);

    [Fact]
    public void Greedy_replies_match_the_pytorch_golden()
    {
        Assert.NotEmpty(Golden.Chat);
        foreach (var c in Golden.Chat)
        {
            ChatCompletion reply = Client().CompleteChat([new UserChatMessage(c.Text)], new ChatCompletionOptions { Temperature = 0 });
            Assert.Equal(Expected(c), reply.Content[0].Text);
            Assert.Equal(ChatFinishReason.Stop, reply.FinishReason);
            Assert.Equal(c.PromptIds.Length, reply.Usage.InputTokenCount);
            Assert.Equal(Golden.ReplyIds(c).Length + 1, reply.Usage.OutputTokenCount); // the reply and its end of turn
            Assert.Equal(TinyServer.ModelName, reply.Model);
        }
    }

    [Fact]
    public void Streaming_gives_the_same_text_and_usage()
    {
        var c = Golden.Chat[1];
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        int updates = 0;
        foreach (var update in Client().CompleteChatStreaming([new UserChatMessage(c.Text)], new ChatCompletionOptions { Temperature = 0 }))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }
        Assert.Equal(Expected(c), text.ToString());
        Assert.True(updates >= 3, $"expected a role chunk, content chunks and a finish chunk; got {updates} updates");
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(c.PromptIds.Length, usage.InputTokenCount);
    }

    [Fact]
    public void Max_tokens_cuts_the_reply_with_finish_reason_length()
    {
        var c = Golden.Chat.First(g => Golden.ReplyIds(g).Length >= 2);
        ChatCompletion reply = Client().CompleteChat([new UserChatMessage(c.Text)], new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1 });
        Assert.Equal(ChatFinishReason.Length, reply.FinishReason);
        Assert.Equal(1, reply.Usage.OutputTokenCount);
        Assert.Equal(server.Model.Tokenizer.Decode(Golden.ReplyIds(c)[..1], skipSpecialTokens: true), reply.Content[0].Text);
    }

    [Fact]
    public void Stop_strings_end_the_reply_before_the_stop()
    {
        var (c, expected) = Golden.Chat.Select(g => (g, Expected(g))).First(p => p.Item2.Length >= 3);
        string stop = expected.Substring(2, 1);
        int at = expected.IndexOf(stop, StringComparison.Ordinal);
        foreach (bool stream in new[] { false, true })
        {
            var options = new ChatCompletionOptions { Temperature = 0, StopSequences = { stop } };
            string text;
            if (stream)
                text = string.Concat(Client().CompleteChatStreaming([new UserChatMessage(c.Text)], options).SelectMany(u => u.ContentUpdate).Select(p => p.Text));
            else
                text = Client().CompleteChat([new UserChatMessage(c.Text)], options).Value.Content.FirstOrDefault()?.Text ?? "";
            Assert.Equal(expected[..at], text);
        }
    }

#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the server supports it.
    [Fact]
    public void A_seed_makes_sampling_reproducible()
    {
        string Sample(long seed) => Client().CompleteChat([new UserChatMessage("Tell me a story.")],
            new ChatCompletionOptions { Temperature = 1.5f, Seed = seed, MaxOutputTokenCount = 24 }).Value.Content.FirstOrDefault()?.Text ?? "";
        var a = Sample(7);
        Assert.Equal(a, Sample(7));
        var others = new[] { Sample(8), Sample(9), Sample(10) };
        Assert.Contains(others, o => o != a);
    }
#pragma warning restore OPENAI001

    [Fact]
    public void Logprobs_are_log_probabilities_of_the_chosen_tokens()
    {
        var c = Golden.Chat[0];
        ChatCompletion reply = Client().CompleteChat([new UserChatMessage(c.Text)],
            new ChatCompletionOptions { Temperature = 0, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 });
        var ids = Golden.ReplyIds(c);
        Assert.Equal(ids.Length + 1, reply.ContentTokenLogProbabilities.Count);
        foreach (var entry in reply.ContentTokenLogProbabilities)
        {
            Assert.InRange(entry.LogProbability, -50f, 0f);
            Assert.Equal(3, entry.TopLogProbabilities.Count);
            // Greedy: the chosen token is the most likely one.
            Assert.Equal(entry.TopLogProbabilities[0].LogProbability, entry.LogProbability, 4);
            Assert.True(entry.TopLogProbabilities[0].LogProbability >= entry.TopLogProbabilities[1].LogProbability);
        }
        Assert.Equal(server.Model.Tokenizer.Decode([ids[0]]), reply.ContentTokenLogProbabilities[0].Token);
    }

    [Fact]
    public void Wrong_key_is_401_and_unknown_model_is_404()
    {
        var e = Assert.Throws<ClientResultException>(() => Client(key: "sk-wrong").CompleteChat([new UserChatMessage("hi")]));
        Assert.Equal(401, e.Status);
        e = Assert.Throws<ClientResultException>(() => Client(model: "gpt-9").CompleteChat([new UserChatMessage("hi")]));
        Assert.Equal(404, e.Status);
        Assert.Contains("gpt-9", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>Tool calls through the SDK: tools rendered by the real Llama 3.1 / Qwen3 templates, calls parsed back.</summary>
[Collection("tools")]
public class OpenAiDotnetSdkToolTests(ToolServers servers)
{
    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "Get the current weather in a city",
        BinaryData.FromString("""{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}"""));

    public static TheoryData<string, bool> Cases() => new() { { "llama", false }, { "llama", true }, { "qwen", false }, { "qwen", true } };

    private ToolServers.Instance Server(string name) => name == "llama" ? servers.Llama : servers.Qwen;

    private static string CallText(string name) => name == "llama"
        ? """{"name": "get_weather", "parameters": {"city": "Paris"}}"""
        : "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";

    private static ChatClient Client(ToolServers.Instance s) => new(s.Engine.ModelName, new ApiKeyCredential(TinyServer.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(s.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(0) });

    // The reply's single tool call (name, arguments, id), streamed or not; no content, finish reason tool_calls.
    private static (string Name, string Arguments, string Id) OneCall(ToolServers.Instance s, List<ChatMessage> messages, ChatCompletionOptions options, bool stream)
    {
        if (stream)
        {
            var updates = Client(s).CompleteChatStreaming(messages, options).ToList();
            var call = updates.SelectMany(u => u.ToolCallUpdates).ToList();
            Assert.NotEmpty(call);
            Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.ToolCalls);
            Assert.Empty(string.Concat(updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text)));
            return (call.Select(c => c.FunctionName).First(n => n is not null), string.Concat(call.Select(c => c.FunctionArgumentsUpdate?.ToString())),
                call.Select(c => c.ToolCallId).First(i => i is not null));
        }
        ChatCompletion reply = Client(s).CompleteChat(messages, options);
        Assert.Equal(ChatFinishReason.ToolCalls, reply.FinishReason);
        var single = Assert.Single(reply.ToolCalls);
        return (single.FunctionName, single.FunctionArguments.ToString(), single.Id);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tool_calls_are_rendered_and_parsed_back(string name, bool stream)
    {
        var s = Server(name);
        s.Engine.Reply = _ => CallText(name);
        var options = new ChatCompletionOptions { Tools = { Weather } };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        var (functionName, arguments, id) = OneCall(s, messages, options, stream);
        Assert.Equal("get_weather", functionName);
        Assert.Equal("Paris", JsonDocument.Parse(arguments).RootElement.GetProperty("city").GetString());

        // The template saw the tool: its description is in the prompt the engine got.
        var prompt = s.Engine.Tokenizer.Decode(s.Engine.Prompts[^1]);
        Assert.Contains("Get the current weather in a city", prompt, StringComparison.Ordinal);

        // Second turn: the call and its result go back through the template.
        s.Engine.Reply = _ => "It is sunny in Paris.";
        messages.Add(new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall(id, functionName, BinaryData.FromString(arguments))]));
        messages.Add(new ToolChatMessage(id, """{"temperature": 21, "sky": "sunny"}"""));
        ChatCompletion answer = Client(s).CompleteChat(messages, options);
        Assert.Equal("It is sunny in Paris.", answer.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        prompt = s.Engine.Tokenizer.Decode(s.Engine.Prompts[^1]);
        // (Llama 3.1's template writes a tool result through tojson, so its quotes come escaped.)
        Assert.Contains("sunny", prompt, StringComparison.Ordinal);
        Assert.Contains("temperature", prompt, StringComparison.Ordinal);
        Assert.Contains("Paris", prompt, StringComparison.Ordinal);
    }

    public static TheoryData<string, bool, bool> ForcedCases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var name in new[] { "llama", "qwen" })
            foreach (bool named in new[] { false, true })
                foreach (bool stream in new[] { false, true }) data.Add(name, named, stream);
        return data;
    }

    // tool_choice "required" or a named function: the prompt ends with the opening of a call in the template's format
    // and the model's continuation is read as that call.
    [Theory]
    [MemberData(nameof(ForcedCases))]
    public void Tool_choice_required_or_named_makes_the_reply_a_call(string name, bool named, bool stream)
    {
        var s = Server(name);
        string open = name == "llama" ? "{\"name\": " : "<tool_call>\n{\"name\": ";
        string arguments = name == "llama" ? "\"parameters\"" : "\"arguments\"";
        string expectedPrefix = named ? open + "\"get_weather\", " + arguments + ": " : open + "\"";
        string continuation = (named ? "" : "get_weather\", " + arguments + ": ") + "{\"city\": \"Paris\"}}" + (name == "llama" ? "" : "\n</tool_call>");
        s.Engine.Reply = prompt => prompt.EndsWith(expectedPrefix, StringComparison.Ordinal) ? continuation : "no call prefix in the prompt";
        var options = new ChatCompletionOptions
        {
            Tools = { Weather },
            ToolChoice = named ? ChatToolChoice.CreateFunctionChoice("get_weather") : ChatToolChoice.CreateRequiredChoice(),
        };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];
        var (functionName, args, _) = OneCall(s, messages, options, stream);
        Assert.Equal("get_weather", functionName);
        Assert.Equal("Paris", JsonDocument.Parse(args).RootElement.GetProperty("city").GetString());
    }

    // A model that does not write valid JSON inside a forced call still gives a call (OpenAI's API also warns that
    // arguments may not be valid JSON): the named function, the raw text as arguments.
    [Fact]
    public void A_named_call_with_malformed_arguments_is_still_a_call()
    {
        var s = servers.Qwen;
        s.Engine.Reply = _ => "city is Paris";
        var options = new ChatCompletionOptions { Tools = { Weather }, ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather") };
        ChatCompletion reply = Client(s).CompleteChat([new UserChatMessage("weather?")], options);
        Assert.Equal(ChatFinishReason.ToolCalls, reply.FinishReason);
        var call = Assert.Single(reply.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("city is Paris", call.FunctionArguments.ToString());
    }

    [Fact]
    public void Plain_text_stays_content_when_tools_are_offered()
    {
        var s = servers.Qwen;
        s.Engine.Reply = _ => "I can answer that without tools: {braces} are fine.";
        ChatCompletion reply = Client(s).CompleteChat([new UserChatMessage("hi")], new ChatCompletionOptions { Tools = { Weather } });
        Assert.Equal(ChatFinishReason.Stop, reply.FinishReason);
        Assert.Empty(reply.ToolCalls);
        Assert.Equal("I can answer that without tools: {braces} are fine.", reply.Content[0].Text);
    }
}
