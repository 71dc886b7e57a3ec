using System.Text.Json;
using Hearth.Runtime.Serving;
using Hearth.Server.Api;
using Hearth.Server.Chat;
using Hearth.Server.Metrics;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>GET /v1/models, /health, /metrics and POST /tokenize, /detokenize.</summary>
internal sealed class InfoEndpoints(IInferenceEngine engine, ServerOptions options, ServerMetrics metrics, long startedAt)
{
    public Task ModelsAsync(HttpContext context) => WriteJson(context, w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        Model(w);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public Task ModelAsync(HttpContext context)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        if (id != engine.ModelName) throw ApiException.ModelNotFound(id);
        return WriteJson(context, Model);
    }

    private void Model(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", engine.ModelName);
        w.WriteString("object", "model");
        w.WriteNumber("created", startedAt);
        w.WriteString("owned_by", "hearth");
        w.WriteNumber("max_model_len", engine.ContextLength);
        w.WriteEndObject();
    }

    public Task HealthAsync(HttpContext context)
    {
        var m = engine.GetMetrics();
        return WriteJson(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            w.WriteString("model", engine.ModelName);
            w.WriteNumber("running", m.RunningSequences);
            w.WriteNumber("waiting", m.WaitingRequests);
            w.WriteEndObject();
        });
    }

    public async Task MetricsAsync(HttpContext context)
    {
        context.Response.ContentType = PrometheusWriter.ContentType;
        await context.Response.WriteAsync(metrics.Render(engine.GetMetrics()), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>{"prompt": text, "add_special_tokens"?} or {"messages": [...], "tools"?} -> {"tokens", "count", "max_model_len"}.</summary>
    public async Task TokenizeAsync(HttpContext context)
    {
        int[] ids;
        using (var body = await RequestBody.ReadJsonAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false))
        {
            var f = new JsonFields(body.RootElement, "");
            if (f.String("model") is { } model) OpenAiJson.CheckModel(engine, model);
            if (f.Has("messages"))
            {
                var messages = ChatRequest.ReadMessages(f);
                var tools = ChatRequest.ReadTools(f);
                ids = ChatPrompts.Render(engine.Tokenizer, engine.ChatTemplate, messages, tools, f.Bool("add_generation_prompt") ?? true).Ids;
            }
            else
            {
                var prompt = f.String("prompt") ?? throw ApiException.Missing("prompt");
                ids = engine.Tokenizer.Encode(prompt, f.Bool("add_special_tokens") ?? true);
            }
        }
        await WriteJson(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", ids.Length);
            w.WriteNumber("max_model_len", engine.ContextLength);
            w.WriteStartArray("tokens");
            foreach (int id in ids) w.WriteNumberValue(id);
            w.WriteEndArray();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>{"tokens": [ids]} -> {"prompt": text}.</summary>
    public async Task DetokenizeAsync(HttpContext context)
    {
        string text;
        using (var body = await RequestBody.ReadJsonAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false))
        {
            var f = new JsonFields(body.RootElement, "");
            if (f.String("model") is { } model) OpenAiJson.CheckModel(engine, model);
            var tokens = f.Array("tokens") ?? throw ApiException.Missing("tokens");
            var ids = new int[tokens.GetArrayLength()];
            int i = 0;
            foreach (var item in tokens.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id) || id < 0)
                    throw ApiException.WrongType($"tokens[{i}]", "a token id (a non-negative integer)");
                if (id >= engine.Tokenizer.VocabSize)
                    throw ApiException.BadRequest($"'tokens[{i}]': token id {id} is outside the vocabulary of {engine.Tokenizer.VocabSize} tokens", $"tokens[{i}]");
                ids[i++] = id;
            }
            text = engine.Tokenizer.Decode(ids, f.Bool("skip_special_tokens") ?? false);
        }
        await WriteJson(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("prompt", text);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task WriteJson(HttpContext context, Action<Utf8JsonWriter> body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(OpenAiJson.Write(body), context.RequestAborted).ConfigureAwait(false);
    }
}
