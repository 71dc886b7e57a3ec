using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hearth.Server.Tests;

/// <summary>Malformed and hostile requests: each gets the right status and an OpenAI-shaped error naming the problem,
/// never a 500, and the server keeps serving.</summary>
[Collection("server")]
public class HostileRequestTests(TinyServer server)
{
    public sealed record Case(string Name, string Path, byte[] Body, int Status, string? Param = null, string? Code = null, string? Key = TinyServer.ApiKey, string Method = "POST")
    {
        public override string ToString() => Name;
    }

    private const string Chat = "/v1/chat/completions", Text = "/v1/completions";
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    private static string Msg(string extra = "") => $$"""{"model": "hearth-tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2{{extra}}}""";
    private static string Prompt(string extra = "") => $$"""{"model": "hearth-tiny", "prompt": "hi", "max_tokens": 2{{extra}}}""";

    public static readonly Case[] Cases =
    [
        new("bad JSON", Chat, B("{\"model\": "), 400, Code: "invalid_json"),
        new("not JSON at all", Chat, B("hello"), 400, Code: "invalid_json"),
        new("empty body", Chat, [], 400, Code: "invalid_json"),
        new("JSON array body", Chat, B("[1, 2]"), 400, Code: "invalid_type"),
        new("trailing garbage", Chat, B(Msg() + "xyz"), 400, Code: "invalid_json"),
        new("invalid UTF-8", Chat, [.. B("{\"model\": \"hearth-tiny\", \"messages\": [{\"role\": \"user\", \"content\": \""), 0xC3, 0x28, 0xFF, .. B("\"}]}")], 400, Code: "invalid_json"),
        new("lone surrogate escape", Chat, B("""{"model": "hearth-tiny", "messages": [{"role": "user", "content": "\ud800 x"}]}"""), 400, "messages[0].content", "invalid_json"),
        new("reversed surrogates", Text, B("""{"model": "hearth-tiny", "prompt": "\udfff\ud800"}"""), 400, "prompt", "invalid_json"),
        new("deeply nested", Chat, B(new string('[', 5000) + new string(']', 5000)), 400, Code: "invalid_json"),
        new("huge body", Chat, B("{\"model\": \"hearth-tiny\", \"pad\": \"" + new string('a', 2 << 20) + "\"}"), 413, Code: "request_too_large"),
        new("missing model", Chat, B("""{"messages": [{"role": "user", "content": "hi"}]}"""), 400, "model", "missing_required_parameter"),
        new("model not a string", Chat, B("""{"model": 5, "messages": [{"role": "user", "content": "hi"}]}"""), 400, "model", "invalid_type"),
        new("unknown model", Chat, B("""{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}"""), 404, "model", "model_not_found"),
        new("missing messages", Chat, B("""{"model": "hearth-tiny"}"""), 400, "messages", "missing_required_parameter"),
        new("empty messages", Chat, B("""{"model": "hearth-tiny", "messages": []}"""), 400, "messages"),
        new("messages not an array", Chat, B("""{"model": "hearth-tiny", "messages": "hi"}"""), 400, "messages", "invalid_type"),
        new("message not an object", Chat, B("""{"model": "hearth-tiny", "messages": [42]}"""), 400, "messages[0]", "invalid_type"),
        new("missing role", Chat, B("""{"model": "hearth-tiny", "messages": [{"content": "hi"}]}"""), 400, "messages[0].role", "missing_required_parameter"),
        new("unknown role", Chat, B("""{"model": "hearth-tiny", "messages": [{"role": "wizard", "content": "hi"}]}"""), 400, "messages[0].role"),
        new("content wrong type", Chat, B("""{"model": "hearth-tiny", "messages": [{"role": "user", "content": 3}]}"""), 400, "messages[0].content", "invalid_type"),
        new("image part", Chat, B("""{"model": "hearth-tiny", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}"""), 400, "messages[0].content[0].type"),
        new("temperature a string", Chat, B(Msg(", \"temperature\": \"hot\"")), 400, "temperature", "invalid_type"),
        new("temperature too high", Chat, B(Msg(", \"temperature\": 7")), 400, "temperature"),
        new("negative temperature", Chat, B(Msg(", \"temperature\": -1")), 400, "temperature"),
        new("top_p above 1", Chat, B(Msg(", \"top_p\": 1.5")), 400, "top_p"),
        new("negative max_tokens", Chat, B(Msg().Replace("\"max_tokens\": 2", "\"max_tokens\": -5", StringComparison.Ordinal)), 400, "max_tokens"),
        new("zero max_tokens", Chat, B(Msg().Replace("\"max_tokens\": 2", "\"max_tokens\": 0", StringComparison.Ordinal)), 400, "max_tokens"),
        new("absurd max_tokens", Chat, B(Msg().Replace("\"max_tokens\": 2", "\"max_tokens\": 1e30", StringComparison.Ordinal)), 400, "max_tokens"),
        new("fractional max_tokens", Chat, B(Msg().Replace("\"max_tokens\": 2", "\"max_tokens\": 2.5", StringComparison.Ordinal)), 400, "max_tokens", "invalid_type"),
        new("max_completion_tokens a string", Chat, B(Msg(", \"max_completion_tokens\": \"10\"")), 400, "max_completion_tokens", "invalid_type"),
        new("n zero", Chat, B(Msg(", \"n\": 0")), 400, "n"),
        new("n absurd", Chat, B(Msg(", \"n\": 100000")), 400, "n"),
        new("stop a number", Chat, B(Msg(", \"stop\": 5")), 400, "stop", "invalid_type"),
        new("stop with a number", Chat, B(Msg(", \"stop\": [\"a\", 5]")), 400, "stop[1]", "invalid_type"),
        new("too many stops", Chat, B(Msg(", \"stop\": [" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"s{i}\"")) + "]")), 400, "stop"),
        new("seed a string", Chat, B(Msg(", \"seed\": \"x\"")), 400, "seed", "invalid_type"),
        new("stream not a bool", Chat, B(Msg(", \"stream\": \"yes\"")), 400, "stream", "invalid_type"),
        new("stream_options without stream", Chat, B(Msg(", \"stream_options\": {\"include_usage\": true}")), 400, "stream_options"),
        new("top_logprobs out of range", Chat, B(Msg(", \"logprobs\": true, \"top_logprobs\": 50")), 400, "top_logprobs"),
        new("frequency_penalty out of range", Chat, B(Msg(", \"frequency_penalty\": 9")), 400, "frequency_penalty"),
        new("tools not an array", Chat, B(Msg(", \"tools\": {}")), 400, "tools", "invalid_type"),
        new("tool without a name", Chat, B(Msg(", \"tools\": [{\"type\": \"function\", \"function\": {}}]")), 400, "tools[0].function.name", "missing_required_parameter"),
        new("bad tool_choice", Chat, B(Msg(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": \"sometimes\"")), 400, "tool_choice"),
        new("tool_choice names an unknown function", Chat, B(Msg(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}")), 400, "tool_choice.function.name"),
        new("tool_choice required without tools", Chat, B(Msg(", \"tool_choice\": \"required\"")), 400, "tool_choice"),
        new("tool_choice function without a name", Chat, B(Msg(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": {\"type\": \"function\", \"function\": {}}")), 400, "tool_choice.function.name", "missing_required_parameter"),
        new("tool message without id", Chat, B("""{"model": "hearth-tiny", "messages": [{"role": "tool", "content": "42"}]}"""), 400, "messages[0].tool_call_id", "missing_required_parameter"),
        new("prompt past the context", Chat, B("{\"model\": \"hearth-tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"" + string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 400)) + "\"}]}"), 413, "messages", "context_length_exceeded"),
        new("completion missing prompt", Text, B("""{"model": "hearth-tiny"}"""), 400, "prompt", "missing_required_parameter"),
        new("completion prompt a number", Text, B("""{"model": "hearth-tiny", "prompt": 12}"""), 400, "prompt", "invalid_type"),
        new("completion token id negative", Text, B("""{"model": "hearth-tiny", "prompt": [1, -2]}"""), 400, "prompt[1]", "invalid_type"),
        new("completion token id past the vocabulary", Text, B("""{"model": "hearth-tiny", "prompt": [1, 999999]}"""), 400, "prompt"),
        new("completion empty ids", Text, B("""{"model": "hearth-tiny", "prompt": []}"""), 400, "prompt"),
        new("completion logprobs too many", Text, B(Prompt(", \"logprobs\": 9")), 400, "logprobs"),
        new("completion prompt past the context", Text, B("{\"model\": \"hearth-tiny\", \"prompt\": [" + string.Join(",", Enumerable.Repeat("5", 400)) + "]}"), 413, "prompt", "context_length_exceeded"),
        new("no key", Chat, B(Msg()), 401, Code: "invalid_api_key", Key: null),
        new("wrong key", Chat, B(Msg()), 401, Code: "invalid_api_key", Key: "sk-nope"),
        new("wrong key on models", "/v1/models", [], 401, Code: "invalid_api_key", Key: "sk-nope", Method: "GET"),
        new("unknown path", "/v1/nothing", B("{}"), 404, Code: "not_found"),
        new("wrong method", Chat, [], 405, Code: "method_not_allowed", Method: "GET"),
        new("tokenize without prompt", "/tokenize", B("{}"), 400, "prompt", "missing_required_parameter"),
        new("detokenize bad id", "/detokenize", B("""{"tokens": [1, "x"]}"""), 400, "tokens[1]", "invalid_type"),
        new("detokenize id past the vocabulary", "/detokenize", B("""{"tokens": [123456789]}"""), 400, "tokens[0]"),
    ];

    public static TheoryData<Case> All() => [.. Cases];

    [Theory]
    [MemberData(nameof(All))]
    public async Task Each_hostile_request_gets_its_status_and_a_named_error(Case c)
    {
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path);
        if (c.Method == "POST") request.Content = new ByteArrayContent(c.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (c.Key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", c.Key);
        // As careful clients do for large uploads: without 100-continue a server that refuses the body early (413)
        // may close the connection while the client is still writing it (a broken pipe instead of the response).
        if (c.Method == "POST") request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(c.Status == (int)response.StatusCode, $"{c.Name}: expected {c.Status}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out var param));
        Assert.True(error.TryGetProperty("code", out var code));
        if (c.Param is not null) Assert.Equal(c.Param, param.GetString());
        if (c.Code is not null) Assert.Equal(c.Code, code.GetString());
        if (c.Status == 401) Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());

        // The server keeps serving.
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Unknown_fields_are_ignored()
    {
        using var response = await server.Http.PostAsync("/v1/chat/completions",
            new StringContent(Msg(", \"frobnicate\": {\"x\": [1, 2]}, \"user\": \"u1\", \"metadata\": null"), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_random_byte_storm_never_gets_a_500()
    {
        var random = new Random(1234);
        var valid = B(Msg(", \"temperature\": 0.5, \"stop\": [\"x\"], \"n\": 2"));
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TinyServer.ApiKey);
        for (int i = 0; i < 150; i++)
        {
            var body = (byte[])valid.Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++) body[random.Next(body.Length)] = (byte)random.Next(256);
            using var response = await client.PostAsync(i % 2 == 0 ? "/v1/chat/completions" : "/v1/completions", new ByteArrayContent(body));
            Assert.True((int)response.StatusCode < 500, $"mutation {i} got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
