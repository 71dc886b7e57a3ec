using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hearth.Server.Tests;

/// <summary>Raw-HTTP checks of the event stream, disconnects, /metrics, /health, /tokenize and /detokenize.</summary>
[Collection("server")]
public partial class StreamingAndMetricsTests(TinyServer server)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_event_stream_is_well_formed_and_ends_with_done()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json("""{"model": "hearth-tiny", "messages": [{"role": "user", "content": "Hello"}], "stream": true, "max_tokens": 5, "temperature": 0, "stream_options": {"include_usage": true}}"""),
        };
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        var usage = chunks[^1]["usage"]!;
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>());
        Assert.Single(chunks, c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["finish_reason"] is JsonValue);
    }

    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? (-?[0-9.eE+-]+|\+Inf|NaN)$""")]
    private static partial Regex SampleLine();

    [Fact]
    public async Task Metrics_are_prometheus_text_with_the_required_families()
    {
        using var warm = await server.Http.PostAsync("/v1/completions", Json("""{"model": "hearth-tiny", "prompt": "Hi", "max_tokens": 3, "temperature": 0}"""));
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        using var response = await new HttpClient().GetAsync(server.BaseUrl + "/metrics"); // no key needed
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var types = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal)) { var p = line.Split(' '); types[p[2]] = p[3]; continue; }
            if (line.StartsWith('#')) continue;
            Assert.Matches(SampleLine(), line);
        }
        foreach (var (name, type) in new[]
        {
            ("hearth_http_requests_total", "counter"), ("hearth_prompt_tokens_total", "counter"), ("hearth_generation_tokens_total", "counter"),
            ("hearth_queue_depth", "gauge"), ("hearth_kv_blocks_used", "gauge"), ("hearth_kv_blocks_free", "gauge"),
            ("hearth_time_to_first_token_seconds", "histogram"), ("hearth_time_per_output_token_seconds", "histogram"),
        })
            Assert.True(types.TryGetValue(name, out var t) && t == type, $"missing {type} {name}");
        Assert.Matches("hearth_time_to_first_token_seconds_count [1-9]", text);
        Assert.Contains("hearth_time_per_output_token_seconds_bucket{le=\"+Inf\"}", text, StringComparison.Ordinal);
        Assert.Matches("hearth_http_requests_total\\{endpoint=\"/v1/completions\",status=\"200\"\\} [1-9]", text);
    }

    [Fact]
    public async Task Health_models_and_tokenize_round_trip()
    {
        var health = JsonNode.Parse(await new HttpClient().GetStringAsync(server.BaseUrl + "/health"))!;
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        var models = JsonNode.Parse(await server.Http.GetStringAsync("/v1/models"))!;
        Assert.Equal(server.Engine.ContextLength, models["data"]![0]!["max_model_len"]!.GetValue<int>());

        // /tokenize of chat messages gives exactly the prompt ids PyTorch's pipeline built (the golden).
        var c = Golden.Chat[0];
        var messages = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = c.Text }) };
        using var tokenized = await server.Http.PostAsync("/tokenize", Json(messages.ToJsonString()));
        var ids = JsonNode.Parse(await tokenized.Content.ReadAsStringAsync())!["tokens"]!.AsArray().Select(i => i!.GetValue<int>()).ToArray();
        Assert.Equal(c.PromptIds, ids);

        using var detokenized = await server.Http.PostAsync("/detokenize", Json(new JsonObject { ["tokens"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]) }.ToJsonString()));
        var text = JsonNode.Parse(await detokenized.Content.ReadAsStringAsync())!["prompt"]!.GetValue<string>();
        Assert.Contains(c.Text, text, StringComparison.Ordinal);
        Assert.StartsWith("<|im_start|>", text.Replace(server.Model.Tokenizer.TokenString(server.Model.Tokenizer.BosId ?? 0) ?? "", "", StringComparison.Ordinal), StringComparison.Ordinal);

        using var plain = await server.Http.PostAsync("/tokenize", Json("""{"prompt": "Once upon a time", "add_special_tokens": true}"""));
        var plainIds = JsonNode.Parse(await plain.Content.ReadAsStringAsync())!["tokens"]!.AsArray().Select(i => i!.GetValue<int>());
        Assert.Equal(server.Model.Encode("Once upon a time"), plainIds);
    }

    [Fact]
    public async Task Completions_take_token_ids_several_prompts_n_and_echo()
    {
        var prompt = server.Model.Encode("Once upon a time");
        var expected = server.Model.Generate(new Runtime.Generation.GenerationRequest { PromptIds = prompt, MaxNewTokens = 4 }).Text;
        var body = new JsonObject
        {
            ["model"] = "hearth-tiny",
            ["prompt"] = new JsonArray(new JsonArray([.. prompt.Select(i => (JsonNode)i)]), "Once upon a time"),
            ["max_tokens"] = 4,
            ["temperature"] = 0,
            ["n"] = 2,
            ["echo"] = true,
            ["logprobs"] = 2,
        };
        using var response = await server.Http.PostAsync("/v1/completions", Json(body.ToJsonString()));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choices = json["choices"]!.AsArray();
        Assert.Equal(4, choices.Count);
        Assert.Equal([0, 1, 2, 3], choices.Select(c => c!["index"]!.GetValue<int>()));
        foreach (var choice in choices)
        {
            Assert.EndsWith(expected, choice!["text"]!.GetValue<string>(), StringComparison.Ordinal);
            var lp = choice["logprobs"]!;
            Assert.Equal(4, lp["tokens"]!.AsArray().Count);
            Assert.All(lp["token_logprobs"]!.AsArray(), v => Assert.InRange(v!.GetValue<double>(), -50, 0));
        }
        Assert.Equal("Once upon a time" + expected, choices[2]!["text"]!.GetValue<string>());
        Assert.Equal(2 * prompt.Length, json["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(16, json["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_chat_page_is_served_with_no_external_resources()
    {
        var html = await new HttpClient().GetStringAsync(server.BaseUrl + "/");
        Assert.Contains("<title>Hearth chat</title>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
    }
}
