using Microsoft.AspNetCore.Http;

namespace Hearth.Server;

/// <summary>The web chat page at "/": one static HTML file (no CDN) embedded in the assembly.</summary>
internal static class ChatPage
{
    private static readonly Lazy<byte[]> Html = new(() =>
    {
        using var stream = typeof(ChatPage).Assembly.GetManifestResourceStream("Hearth.Server.index.html")
            ?? throw new InvalidOperationException("the chat page resource is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static async Task ServeAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync(Html.Value, context.RequestAborted).ConfigureAwait(false);
    }
}
