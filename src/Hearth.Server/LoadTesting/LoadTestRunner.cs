using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Core;

namespace Hearth.Server.LoadTesting;

/// <summary>
/// A load generator for any OpenAI-compatible server (Hearth, vLLM, llama.cpp, ...): streaming requests with a fixed
/// concurrency, timing the first token and every following chunk, as vLLM's serving benchmark does.
/// </summary>
public static class LoadTestRunner
{
    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "this",
        "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their", "one", "all",
        "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no",
    ];

    public static async Task<LoadTestReport> RunAsync(LoadTestOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var baseUrl = options.Url.TrimEnd('/');
        if (baseUrl.EndsWith("/v1", StringComparison.Ordinal)) baseUrl = baseUrl[..^3];
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != "http" && baseUri.Scheme != "https"))
            throw new HearthException($"--url: '{options.Url}' is not an http(s) URL");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(options.Concurrency, 2), PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl + "/"), Timeout = options.RequestTimeout };
        if (options.ApiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);

        var model = options.Model ?? await FirstModelAsync(http, cancellationToken).ConfigureAwait(false);
        var random = new Random(options.Seed);
        // Warm-up requests get prompts of their own, so no timed request finds its prompt in a prefix cache.
        var prompts = await PromptsAsync(http, options, model, random, options.WarmupRequests + options.Requests, progress, cancellationToken).ConfigureAwait(false);

        for (int w = 0; w < options.WarmupRequests; w++)
        {
            var warm = await SendAsync(http, options, model, prompts[w], cancellationToken).ConfigureAwait(false);
            if (!warm.Success) throw new HearthException($"the warm-up request failed ({warm.Error}); check --url, --api-key and --model, or pass --warmup 0");
        }
        if (options.WarmupRequests > 0) progress?.Invoke($"warm-up done ({options.WarmupRequests} untimed)");
        prompts = prompts[options.WarmupRequests..];

        var samples = new RequestSample[options.Requests];
        int next = -1, done = 0;
        long start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Math.Min(options.Concurrency, options.Requests)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < options.Requests)
            {
                samples[i] = await SendAsync(http, options, model, prompts[i], cancellationToken).ConfigureAwait(false);
                int finished = Interlocked.Increment(ref done);
                if (progress is not null && (finished % Math.Max(1, options.Requests / 10) == 0 || finished == options.Requests))
                    progress($"{finished}/{options.Requests} requests done");
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return new LoadTestReport
        {
            Options = options, Model = model, Samples = samples, DurationSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds,
            TokenIdPrompts = prompts.All(p => p.Ids is not null),
        };
    }

    private static void Validate(LoadTestOptions o)
    {
        if (o.Concurrency < 1) throw new HearthException($"--concurrency must be >= 1 (got {o.Concurrency})");
        if (o.Requests < 1) throw new HearthException($"--requests must be >= 1 (got {o.Requests})");
        if (o.PromptTokens < 1) throw new HearthException($"--prompt-tokens must be >= 1 (got {o.PromptTokens})");
        if (o.MaxTokens < 1) throw new HearthException($"--max-tokens must be >= 1 (got {o.MaxTokens})");
        if (o.WarmupRequests < 0) throw new HearthException($"--warmup must be >= 0 (got {o.WarmupRequests})");
        if (o.Endpoint is not ("completions" or "chat")) throw new HearthException($"--endpoint must be completions or chat (got {o.Endpoint})");
    }

    private static async Task<string> FirstModelAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("v1/models", cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new HearthException($"GET /v1/models answered {(int)response.StatusCode}: {text}");
            var id = JsonNode.Parse(text)?["data"]?[0]?["id"]?.GetValue<string>();
            return id ?? throw new HearthException("GET /v1/models listed no model; pass --model");
        }
        catch (HttpRequestException e)
        {
            throw new HearthException($"cannot reach {http.BaseAddress}: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new HearthException($"GET /v1/models did not answer JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Prompts of random common words. For /v1/completions, when the server tokenizes (POST /tokenize in vLLM's shape,
    /// as Hearth and vLLM have it, or llama.cpp's), each prompt is the first <see cref="LoadTestOptions.PromptTokens"/>
    /// token ids of its words and goes as a token-id prompt, so every request has exactly that many prompt tokens
    /// (vLLM's random dataset does the same with the model's tokenizer). Otherwise a prompt is that many words, which
    /// a tokenizer may cut into more tokens (the server's usage reports the real count).
    /// </summary>
    internal static async Task<LoadPrompt[]> PromptsAsync(HttpClient http, LoadTestOptions o, string model, Random random, int count,
        Action<string>? progress, CancellationToken cancellationToken)
    {
        string RandomWords(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => Words[random.Next(Words.Length)]));
        var prompts = new LoadPrompt[count];
        bool byIds = o.Endpoint == "completions";
        for (int i = 0; i < count; i++)
        {
            string text = RandomWords(o.PromptTokens);
            int[]? ids = null;
            if (byIds)
            {
                // Common words are at least one token each; a few more are tokenized for a tokenizer that merges some.
                ids = await TokenizeAsync(http, model, text + " " + RandomWords(8), cancellationToken).ConfigureAwait(false);
                if (ids is not null && ids.Length >= o.PromptTokens) ids = ids[..o.PromptTokens];
                else
                {
                    // Every prompt is words then, those before this one too.
                    ids = null;
                    byIds = false;
                    for (int k = 0; k < i; k++) prompts[k] = prompts[k] with { Ids = null };
                    progress?.Invoke($"the server does not tokenize (POST /tokenize); prompts are {o.PromptTokens} words each, and the server's usage counts their tokens");
                }
            }
            prompts[i] = new LoadPrompt(text, ids);
        }
        return prompts;
    }

    // Token ids of the text without special tokens, or null when the server has no usable /tokenize.
    private static async Task<int[]?> TokenizeAsync(HttpClient http, string model, string text, CancellationToken cancellationToken)
    {
        JsonObject[] bodies =
        [
            new() { ["model"] = model, ["prompt"] = text, ["add_special_tokens"] = false },  // vLLM, Hearth
            new() { ["content"] = text, ["add_special"] = false },                            // llama.cpp
        ];
        foreach (var body in bodies)
        {
            try
            {
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("tokenize", content, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) continue;
                if (JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))?["tokens"] is not JsonArray tokens) continue;
                var ids = new int[tokens.Count];
                for (int k = 0; k < ids.Length; k++)
                {
                    if (tokens[k] is not JsonValue v || !v.TryGetValue(out int id) || id < 0) return null;
                    ids[k] = id;
                }
                return ids;
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or FormatException)
            {
                // not this server's shape
            }
        }
        return null;
    }

    private static async Task<RequestSample> SendAsync(HttpClient http, LoadTestOptions o, string model, LoadPrompt prompt, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = o.MaxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            // vLLM's extension (Hearth has it too): every request generates exactly max_tokens.
            ["ignore_eos"] = true,
        };
        if (o.Endpoint == "chat") body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt.Text });
        else body["prompt"] = prompt.Ids is { } ids ? new JsonArray([.. ids.Select(id => (JsonNode)id)]) : prompt.Text;
        var path = o.Endpoint == "chat" ? "v1/chat/completions" : "v1/completions";

        long start = Stopwatch.GetTimestamp();
        double ttft = 0, last = 0;
        int chunks = 0, promptTokens = prompt.Ids?.Length ?? o.PromptTokens, outputTokens = -1;
        var itl = new List<double>();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var error = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                return Failed($"HTTP {(int)response.StatusCode}: {Shorten(error)}");
            }
            using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                var data = line[5..].Trim();
                if (data == "[DONE]") break;
                var chunk = JsonNode.Parse(data);
                if (chunk?["error"] is JsonNode err) return Failed(Shorten(err.ToJsonString()));
                if (chunk?["usage"] is JsonObject usage)
                {
                    promptTokens = usage["prompt_tokens"]?.GetValue<int>() ?? promptTokens;
                    outputTokens = usage["completion_tokens"]?.GetValue<int>() ?? outputTokens;
                }
                var choice = chunk?["choices"]?.AsArray().FirstOrDefault();
                var text = o.Endpoint == "chat" ? choice?["delta"]?["content"]?.GetValue<string>() : choice?["text"]?.GetValue<string>();
                if (string.IsNullOrEmpty(text)) continue;
                double now = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (chunks == 0) ttft = now;
                else itl.Add(now - last);
                last = now;
                chunks++;
            }
            double latency = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (chunks == 0 && outputTokens <= 0) return Failed("the stream ended without any generated text");
            return new RequestSample(true, promptTokens, outputTokens >= 0 ? outputTokens : chunks, ttft, latency, itl, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or TaskCanceledException or InvalidOperationException)
        {
            return Failed($"{e.GetType().Name}: {e.Message}");
        }

        RequestSample Failed(string error) => new(false, 0, 0, 0, Stopwatch.GetElapsedTime(start).TotalSeconds, [], error);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}

/// <summary>One request's prompt: its words, and the token ids sent instead on /v1/completions when the server tokenizes.</summary>
internal readonly record struct LoadPrompt(string Text, int[]? Ids);
