using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Api;

/// <summary>Reads a request body as one JSON document, with a size limit and strict UTF-8.</summary>
internal static class RequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static async Task<JsonDocument> ReadJsonAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength is long declared && declared > maxBytes) throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        while (true)
        {
            int read;
            try
            {
                read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw TooLarge(maxBytes);
            }
            if (read == 0) break;
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw ApiException.BadRequest("the request body is empty: expected a JSON object", null, "invalid_json");
        var bytes = buffer.ToArray();
        // JsonDocument checks UTF-8 only when a string is read: check it all here so no later read can fail.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw ApiException.BadRequest("the request body is not valid UTF-8", null, "invalid_json");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}", null, "invalid_json");
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}", null, "invalid_json");
        }
        try
        {
            CheckStrings(document.RootElement, "");
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>Escapes such as "\ud800" (a lone surrogate) pass the parser but fail when read: find them now, by path.</summary>
    private static void CheckStrings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                try { element.GetString(); }
                catch (InvalidOperationException) { throw Invalid(path); }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray()) CheckStrings(item, $"{path}[{i++}]");
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try { name = property.Name; }
                    catch (InvalidOperationException) { throw Invalid(path); }
                    CheckStrings(property.Value, path.Length == 0 ? name : $"{path}.{name}");
                }
                break;
        }
    }

    private static ApiException Invalid(string path) => ApiException.BadRequest(
        $"'{(path.Length == 0 ? "body" : path)}' holds an invalid escape (a lone UTF-16 surrogate)", path.Length == 0 ? null : path, "invalid_json");

    private static ApiException TooLarge(long maxBytes) =>
        new(413, $"the request body is larger than the limit of {maxBytes} bytes", "invalid_request_error", null, "request_too_large");
}
