using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Api;

/// <summary>Writes errors as OpenAI does, as a JSON response or as an SSE event once a stream has started.</summary>
internal static class ErrorWriter
{
    public static byte[] Json(string message, string type, string? param, string? code)
    {
        using var buffer = new MemoryStream();
        // Messages quote the client's input: keep them readable (the JSON stays valid).
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            if (param is null) w.WriteNull("param"); else w.WriteString("param", param);
            if (code is null) w.WriteNull("code"); else w.WriteString("code", code);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static byte[] Json(ApiException e) => Json(e.Message, e.Type, e.Param, e.Code);

    public static async Task WriteAsync(HttpContext context, ApiException e)
    {
        var body = Json(e);
        if (context.Response.HasStarted)
        {
            // Inside an event stream: the error becomes the last event.
            await SseWriter.WriteDataAsync(context.Response, body, CancellationToken.None).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = e.Status;
        context.Response.ContentType = "application/json";
        if (e.RetryAfterSeconds is int seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (e.Status == 401) context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.Body.WriteAsync(body, CancellationToken.None).ConfigureAwait(false);
    }
}
