using System.Text;
using System.Text.Json;
using Hearth.Runtime.Serving;
using Hearth.Server.Api;
using Hearth.Server.Metrics;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>POST /v1/completions: each prompt (text or ids) times n choices, streamed or not, with legacy logprobs.</summary>
internal sealed class TextCompletions(IInferenceEngine engine, ServerOptions options, ServerMetrics metrics)
{
    private sealed class Choice(int index, int[] promptIds, string echo)
    {
        public int Index { get; } = index;
        public int[] PromptIds { get; } = promptIds;
        public string Echo { get; } = echo;
        public StringBuilder Text { get; } = new();
        public List<EngineEvent> Events { get; } = [];
        public EngineFinish? Finish { get; set; }
    }

    public async Task HandleAsync(HttpContext context)
    {
        CompletionRequest request;
        using (var body = await RequestBody.ReadJsonAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false))
            request = CompletionRequest.Read(body.RootElement, options);
        var p = request.Parameters;
        OpenAiJson.CheckModel(engine, p.Model);

        var prompts = new List<int[]>();
        for (int i = 0; i < request.Prompts.Count; i++)
        {
            var prompt = request.Prompts[i];
            int[] ids = prompt.Ids ?? engine.Tokenizer.Encode(prompt.Text!, addSpecialTokens: true);
            string param = request.Prompts.Count == 1 ? "prompt" : $"prompt[{i}]";
            if (ids.Length == 0) throw ApiException.BadRequest($"'{param}' encodes to no tokens", param);
            foreach (int token in ids)
                if (token >= engine.Tokenizer.VocabSize) throw ApiException.BadRequest($"'{param}': token id {token} is outside the vocabulary of {engine.Tokenizer.VocabSize} tokens", param);
            OpenAiJson.CheckPromptFits(engine, ids.Length, param);
            prompts.Add(ids);
        }

        string id = OpenAiJson.NewId("cmpl-");
        var choices = new List<Choice>();
        var requests = new List<EngineRequest>();
        for (int pi = 0; pi < prompts.Count; pi++)
        {
            string echo = request.Echo ? request.Prompts[pi].Text ?? engine.Tokenizer.Decode(prompts[pi], skipSpecialTokens: p.SkipSpecialTokens) : "";
            for (int i = 0; i < p.N; i++)
            {
                choices.Add(new Choice(choices.Count, prompts[pi], echo));
                requests.Add(new EngineRequest
                {
                    PromptIds = prompts[pi],
                    Sampling = p.SamplingFor(i),
                    MaxNewTokens = p.MaxTokens ?? options.DefaultCompletionMaxTokens,
                    StopStrings = p.Stop,
                    IgnoreEos = p.IgnoreEos,
                    SkipSpecialTokens = p.SkipSpecialTokens,
                    Logprobs = request.Logprobs is not null,
                    TopLogprobs = request.Logprobs ?? 0,
                    RequestId = id,
                    ShareGroup = p.N > 1 ? id : null,  // the n choices of one prompt compute it once
                });
            }
        }

        await using var streams = await EngineStreams.StartAsync(engine, requests, context.RequestAborted).ConfigureAwait(false);
        long created = OpenAiJson.Now();
        try
        {
            if (p.Stream) await StreamAsync(context, request, streams, choices, id, created).ConfigureAwait(false);
            else await CollectAsync(context, request, streams, choices, id, created).ConfigureAwait(false);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: its unfinished generations were cancelled through RequestAborted.
            foreach (var choice in choices.Where(c => c.Finish is null)) metrics.CountCancelled();
            throw;
        }
    }

    private async Task CollectAsync(HttpContext context, CompletionRequest request, EngineStreams streams, List<Choice> choices, string id, long created)
    {
        await foreach (var (index, e) in streams.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
        {
            var choice = choices[index];
            if (e.Finish is not null) { choice.Finish = e.Finish; metrics.CountFinish(e.Finish); continue; }
            choice.Text.Append(e.Text);
            choice.Events.Add(e);
        }
        var json = OpenAiJson.Write(w =>
        {
            w.WriteStartObject();
            Header(w, id, created);
            w.WriteStartArray("choices");
            foreach (var choice in choices)
            {
                w.WriteStartObject();
                w.WriteNumber("index", choice.Index);
                w.WriteString("text", choice.Echo + choice.Text);
                Logprobs(w, request, choice.Events, choice.Echo.Length);
                w.WriteString("finish_reason", choice.Finish?.Reason ?? "stop");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Usage(w, choices, request.Parameters.N);
            w.WriteEndObject();
        });
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext context, CompletionRequest request, EngineStreams streams, List<Choice> choices, string id, long created)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        bool usage = request.Parameters.IncludeUsage;
        SseWriter.Start(response);
        foreach (var choice in choices.Where(c => c.Echo.Length > 0))
            await SseWriter.WriteDataAsync(response, Chunk(id, created, usage, choice.Index, choice.Echo, null, null, request, 0), aborted).ConfigureAwait(false);

        await foreach (var (index, e) in streams.ReadAllAsync(aborted).ConfigureAwait(false))
        {
            var choice = choices[index];
            if (e.Finish is not null)
            {
                choice.Finish = e.Finish;
                metrics.CountFinish(e.Finish);
                await SseWriter.WriteDataAsync(response, Chunk(id, created, usage, index, "", e.Finish.Reason, null, request, 0), aborted).ConfigureAwait(false);
                continue;
            }
            int offset = choice.Echo.Length + choice.Text.Length;
            choice.Text.Append(e.Text);
            if (e.Text.Length == 0 && request.Logprobs is null) continue;
            await SseWriter.WriteDataAsync(response, Chunk(id, created, usage, index, e.Text, null, e, request, offset), aborted).ConfigureAwait(false);
        }
        if (usage)
        {
            await SseWriter.WriteDataAsync(response, OpenAiJson.Write(w =>
            {
                w.WriteStartObject();
                Header(w, id, created);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Usage(w, choices, request.Parameters.N);
                w.WriteEndObject();
            }), aborted).ConfigureAwait(false);
        }
        await SseWriter.WriteDoneAsync(response, aborted).ConfigureAwait(false);
    }

    private byte[] Chunk(string id, long created, bool usageNull, int index, string text, string? finish, EngineEvent? e, CompletionRequest request, int offset) =>
        OpenAiJson.Write(w =>
        {
            w.WriteStartObject();
            Header(w, id, created);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", index);
            w.WriteString("text", text);
            if (e is not null) Logprobs(w, request, [e], offset);
            else w.WriteNull("logprobs");
            if (finish is null) w.WriteNull("finish_reason"); else w.WriteString("finish_reason", finish);
            w.WriteEndObject();
            w.WriteEndArray();
            if (usageNull) w.WriteNull("usage");
            w.WriteEndObject();
        });

    private void Header(Utf8JsonWriter w, string id, long created)
    {
        w.WriteString("id", id);
        w.WriteString("object", "text_completion");
        w.WriteNumber("created", created);
        w.WriteString("model", engine.ModelName);
        w.WriteNull("system_fingerprint");
    }

    /// <summary>Prompt tokens count once per prompt (not per choice), as OpenAI counts them.</summary>
    private static void Usage(Utf8JsonWriter w, List<Choice> choices, int n)
    {
        int prompt = 0, completion = 0, cached = 0;
        for (int i = 0; i < choices.Count; i++)
        {
            completion += choices[i].Finish?.CompletionTokens ?? 0;
            if (i % n == 0)
            {
                prompt += choices[i].PromptIds.Length;
                cached += choices[i].Finish?.CachedPromptTokens ?? 0;
            }
        }
        OpenAiJson.Usage(w, prompt, completion, cached);
    }

    /// <summary>Legacy logprobs: tokens, token_logprobs, top_logprobs (token -> logprob maps), text_offset.</summary>
    private void Logprobs(Utf8JsonWriter w, CompletionRequest request, IReadOnlyList<EngineEvent> events, int startOffset)
    {
        if (request.Logprobs is null) { w.WriteNull("logprobs"); return; }
        var tokenizer = engine.Tokenizer;
        w.WriteStartObject("logprobs");
        w.WriteStartArray("tokens");
        foreach (var e in events) w.WriteStringValue(OpenAiJson.TokenText(tokenizer, e.TokenId));
        w.WriteEndArray();
        w.WriteStartArray("token_logprobs");
        foreach (var e in events) w.WriteNumberValue(e.Logprob ?? 0);
        w.WriteEndArray();
        w.WriteStartArray("top_logprobs");
        foreach (var e in events)
        {
            w.WriteStartObject();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in e.TopLogprobs ?? [])
            {
                var token = OpenAiJson.TokenText(tokenizer, t.Id);
                if (seen.Add(token)) w.WriteNumber(token, t.Logprob);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("text_offset");
        int offset = startOffset;
        foreach (var e in events)
        {
            w.WriteNumberValue(offset);
            offset += e.Text.Length;
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
