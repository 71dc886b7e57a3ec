using System.Text;
using System.Text.Json;
using Hearth.Runtime.Serving;
using Hearth.Server.Api;
using Hearth.Server.Chat;
using Hearth.Server.Metrics;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>POST /v1/chat/completions: the prompt built with the model's template, n choices, streamed or not,
/// tool calls parsed back into OpenAI's tool_calls.</summary>
internal sealed class ChatCompletions(IInferenceEngine engine, ServerOptions options, ServerMetrics metrics)
{
    // A forced call (tool_choice required or a named function) streams nothing until it is parsed at the end.
    private sealed class Choice(int index, bool tools, bool forced)
    {
        public int Index { get; } = index;
        public StringBuilder Text { get; } = new();
        public bool Forced { get; } = forced;
        public ToolCallStreamer? Tools { get; } = tools && !forced ? new ToolCallStreamer() : null;
        public List<EngineEvent> Logprobs { get; } = [];
        public EngineFinish? Finish { get; set; }
    }

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        ChatRequest request;
        using (var body = await RequestBody.ReadJsonAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false))
            request = ChatRequest.Read(body.RootElement, options);
        var p = request.Parameters;
        OpenAiJson.CheckModel(engine, p.Model);
        var format = ToolChoice.FormatOf(engine.ChatTemplate);
        var prompt = ChatPrompts.Render(engine.Tokenizer, engine.ChatTemplate, request.Messages, request.Tools,
            assistantPrefix: request.ToolChoice.Prefix(format));
        OpenAiJson.CheckPromptFits(engine, prompt.Ids.Length, "messages");

        string id = OpenAiJson.NewId("chatcmpl-");
        var requests = Enumerable.Range(0, p.N).Select(i => new EngineRequest
        {
            PromptIds = prompt.Ids,
            Sampling = p.SamplingFor(i),
            MaxNewTokens = p.MaxTokens,
            StopStrings = [.. prompt.StopStrings, .. request.ToolChoice.StopStrings(format), .. p.Stop],
            IgnoreEos = p.IgnoreEos,
            SkipSpecialTokens = p.SkipSpecialTokens,
            Logprobs = request.Logprobs,
            TopLogprobs = request.TopLogprobs,
            RequestId = id,
            ShareGroup = p.N > 1 ? id : null,  // the n choices compute the prompt once
        }).ToList();

        await using var streams = await EngineStreams.StartAsync(engine, requests, aborted).ConfigureAwait(false);
        var choices = Enumerable.Range(0, p.N).Select(i => new Choice(i, request.Tools is not null, request.ToolChoice.Forces)).ToArray();
        long created = OpenAiJson.Now();
        try
        {
            if (p.Stream) await StreamAsync(context, request, format, streams, choices, id, created).ConfigureAwait(false);
            else await CollectAsync(context, request, format, streams, choices, id, created).ConfigureAwait(false);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: its unfinished generations were cancelled through RequestAborted.
            foreach (var choice in choices.Where(c => c.Finish is null)) metrics.CountCancelled();
            throw;
        }
    }

    private async Task CollectAsync(HttpContext context, ChatRequest request, ToolCallFormat format, EngineStreams streams, Choice[] choices, string id, long created)
    {
        await foreach (var (index, e) in streams.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
        {
            var choice = choices[index];
            if (e.Finish is not null) { choice.Finish = e.Finish; metrics.CountFinish(e.Finish); continue; }
            choice.Text.Append(e.Text);
            if (request.Logprobs) choice.Logprobs.Add(e);
        }
        var json = OpenAiJson.Write(w =>
        {
            w.WriteStartObject();
            Header(w, id, "chat.completion", created);
            w.WriteStartArray("choices");
            foreach (var choice in choices)
            {
                string text = choice.Text.ToString();
                string? content = text;
                IReadOnlyList<ParsedToolCall> calls = [];
                if (choice.Forced) (content, calls) = (null, request.ToolChoice.ParseForced(format, text));
                else if (choice.Tools is not null) (content, calls) = ToolCallParser.Parse(text);
                w.WriteStartObject();
                w.WriteNumber("index", choice.Index);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                if (content is null) w.WriteNull("content"); else w.WriteString("content", content);
                if (calls.Count > 0) ToolCalls(w, calls, includeIndex: false);
                w.WriteEndObject();
                Logprobs(w, request, choice.Logprobs);
                w.WriteString("finish_reason", calls.Count > 0 ? "tool_calls" : choice.Finish?.Reason ?? "stop");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            var first = choices[0].Finish;
            OpenAiJson.Usage(w, first?.PromptTokens ?? 0, choices.Sum(c => c.Finish?.CompletionTokens ?? 0), first?.CachedPromptTokens ?? 0);
            w.WriteEndObject();
        });
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext context, ChatRequest request, ToolCallFormat format, EngineStreams streams, Choice[] choices, string id, long created)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        bool usage = request.Parameters.IncludeUsage;
        SseWriter.Start(response);
        foreach (var choice in choices)
        {
            await SseWriter.WriteDataAsync(response, Chunk(id, created, usage, w =>
            {
                ChoiceStart(w, choice.Index);
                w.WriteString("role", "assistant");
                w.WriteString("content", "");
                ChoiceEnd(w, null, null, null);
            }), aborted).ConfigureAwait(false);
        }

        await foreach (var (index, e) in streams.ReadAllAsync(aborted).ConfigureAwait(false))
        {
            var choice = choices[index];
            if (e.Finish is not null)
            {
                choice.Finish = e.Finish;
                metrics.CountFinish(e.Finish);
                string reason = e.Finish.Reason;
                IReadOnlyList<ParsedToolCall> calls = [];
                if (choice.Forced) calls = request.ToolChoice.ParseForced(format, choice.Text.ToString());
                else if (choice.Tools is not null)
                {
                    string? rest;
                    (rest, calls) = choice.Tools.Finish();
                    if (!string.IsNullOrEmpty(rest)) await WriteContent(rest, null).ConfigureAwait(false);
                }
                if (calls.Count > 0)
                {
                    reason = "tool_calls";
                    await SseWriter.WriteDataAsync(response, Chunk(id, created, usage, w =>
                    {
                        ChoiceStart(w, choice.Index);
                        ToolCalls(w, calls, includeIndex: true);
                        ChoiceEnd(w, null, null, null);
                    }), aborted).ConfigureAwait(false);
                }
                await SseWriter.WriteDataAsync(response, Chunk(id, created, usage, w =>
                {
                    ChoiceStart(w, choice.Index);
                    ChoiceEnd(w, reason, null, null);
                }), aborted).ConfigureAwait(false);
                continue;
            }

            if (choice.Forced)
            {
                choice.Text.Append(e.Text);
                continue;
            }
            string text = choice.Tools is null ? e.Text : choice.Tools.Push(e.Text);
            if (text.Length == 0 && !request.Logprobs) continue;
            await WriteContent(text, request.Logprobs ? e : null).ConfigureAwait(false);

            Task WriteContent(string content, EngineEvent? logprob) =>
                SseWriter.WriteDataAsync(response, Chunk(id, created, usage, w =>
                {
                    ChoiceStart(w, choice.Index);
                    w.WriteString("content", content);
                    ChoiceEnd(w, null, request, logprob);
                }), aborted);
        }

        if (usage)
        {
            var first = choices[0].Finish;
            await SseWriter.WriteDataAsync(response, OpenAiJson.Write(w =>
            {
                w.WriteStartObject();
                Header(w, id, "chat.completion.chunk", created);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                OpenAiJson.Usage(w, first?.PromptTokens ?? 0, choices.Sum(c => c.Finish?.CompletionTokens ?? 0), first?.CachedPromptTokens ?? 0);
                w.WriteEndObject();
            }), aborted).ConfigureAwait(false);
        }
        await SseWriter.WriteDoneAsync(response, aborted).ConfigureAwait(false);
    }

    private byte[] Chunk(string id, long created, bool usageNull, Action<Utf8JsonWriter> choice) => OpenAiJson.Write(w =>
    {
        w.WriteStartObject();
        Header(w, id, "chat.completion.chunk", created);
        w.WriteStartArray("choices");
        choice(w);
        w.WriteEndArray();
        if (usageNull) w.WriteNull("usage");
        w.WriteEndObject();
    });

    private static void ChoiceStart(Utf8JsonWriter w, int index)
    {
        w.WriteStartObject();
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
    }

    private void ChoiceEnd(Utf8JsonWriter w, string? finishReason, ChatRequest? request, EngineEvent? logprob)
    {
        w.WriteEndObject(); // delta
        if (request is not null && logprob is not null) Logprobs(w, request, [logprob]);
        else w.WriteNull("logprobs");
        if (finishReason is null) w.WriteNull("finish_reason"); else w.WriteString("finish_reason", finishReason);
        w.WriteEndObject();
    }

    private void Header(Utf8JsonWriter w, string id, string type, long created)
    {
        w.WriteString("id", id);
        w.WriteString("object", type);
        w.WriteNumber("created", created);
        w.WriteString("model", engine.ModelName);
        w.WriteNull("system_fingerprint");
    }

    private void Logprobs(Utf8JsonWriter w, ChatRequest request, IReadOnlyList<EngineEvent> events)
    {
        if (!request.Logprobs) { w.WriteNull("logprobs"); return; }
        w.WriteStartObject("logprobs");
        w.WriteStartArray("content");
        foreach (var e in events) OpenAiJson.ChatLogprob(w, engine.Tokenizer, e);
        w.WriteEndArray();
        w.WriteNull("refusal");
        w.WriteEndObject();
    }

    private static void ToolCalls(Utf8JsonWriter w, IReadOnlyList<ParsedToolCall> calls, bool includeIndex)
    {
        w.WriteStartArray("tool_calls");
        for (int i = 0; i < calls.Count; i++)
        {
            w.WriteStartObject();
            if (includeIndex) w.WriteNumber("index", i);
            w.WriteString("id", OpenAiJson.NewId("call_"));
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", calls[i].Name);
            w.WriteString("arguments", calls[i].ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
