using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hearth.Core;
using Hearth.Runtime.Serving;
using Hearth.Server.Api;
using Hearth.Server.Endpoints;
using Hearth.Server.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hearth.Server;

/// <summary>
/// The OpenAI-compatible HTTP server over any <see cref="IInferenceEngine"/>: build it, then StartAsync / RunAsync.
/// The CLI's `hearth serve` and the tests construct it the same way.
/// </summary>
public static class HearthServer
{
    /// <summary>Builds the web application (Kestrel bound to options.Host:options.Port, not started). The engine is
    /// not owned: dispose it after the application stops.</summary>
    public static WebApplication Build(IInferenceEngine engine, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535) throw new HearthException($"port must be in [0, 65535] (got {options.Port})");
        if (options.MaxRequestBodyBytes <= 0) throw new HearthException($"max request body must be positive (got {options.MaxRequestBodyBytes})");
        if (options.MaxN <= 0) throw new HearthException($"max n must be positive (got {options.MaxN})");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(HearthServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Logging.ClearProviders();
        if (options.LogRequests) builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            Listen(kestrel, options.Host, options.Port);
        });
        var metrics = new ServerMetrics();
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(options);

        var app = builder.Build();
        var log = options.LogRequests ? app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("hearth") : null;
        var chat = new ChatCompletions(engine, options, metrics);
        var completions = new TextCompletions(engine, options, metrics);
        var info = new InfoEndpoints(engine, options, metrics, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        app.Use(async (context, next) => await Guard(context, next, options, metrics, log).ConfigureAwait(false));
        app.MapPost("/v1/chat/completions", chat.HandleAsync);
        app.MapPost("/v1/completions", completions.HandleAsync);
        app.MapGet("/v1/models", info.ModelsAsync);
        app.MapGet("/v1/models/{id}", info.ModelAsync);
        app.MapGet("/health", info.HealthAsync);
        app.MapGet("/metrics", info.MetricsAsync);
        app.MapPost("/tokenize", info.TokenizeAsync);
        app.MapPost("/detokenize", info.DetokenizeAsync);
        app.MapGet("/", ChatPage.ServeAsync);
        app.MapFallback(context => throw (Routes.Contains(context.Request.Path.Value ?? "")
            ? new ApiException(405, $"{context.Request.Method} is not allowed on {context.Request.Path}", "invalid_request_error", null, "method_not_allowed")
            : ApiException.NotFound($"no endpoint {context.Request.Method} {context.Request.Path}")));
        return app;
    }

    /// <summary>"http://127.0.0.1:PORT" of a started application (the real port when options.Port was 0).</summary>
    public static string BoundAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.FirstOrDefault() ?? throw new InvalidOperationException("the server is not started");
    }

    /// <summary>The server's own counters (tests read finish reasons from them).</summary>
    public static ServerMetrics Metrics(WebApplication app) => app.Services.GetRequiredService<ServerMetrics>();

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string host, int port)
    {
        if (host is "localhost") kestrel.ListenLocalhost(port);
        else if (host is "*" or "+") kestrel.ListenAnyIP(port);
        else if (IPAddress.TryParse(host, out var address)) kestrel.Listen(address, port);
        else throw new HearthException($"host '{host}' is not an IP address (use 127.0.0.1, 0.0.0.0, ::, or localhost)");
    }

    private static readonly HashSet<string> Routes = ["/v1/chat/completions", "/v1/completions", "/v1/models", "/health", "/metrics", "/tokenize", "/detokenize", "/"];

    private static readonly string[] Protected = ["/v1", "/tokenize", "/detokenize"];

    /// <summary>Authentication, errors in OpenAI's shape (never a stack trace), request counting and logging.</summary>
    private static async Task Guard(HttpContext context, RequestDelegate next, ServerOptions options, ServerMetrics metrics, ILogger? log)
    {
        long start = Stopwatch.GetTimestamp();
        var path = context.Request.Path;
        try
        {
            if (options.ApiKey is { } key && Protected.Any(p => path.StartsWithSegments(p, StringComparison.Ordinal)))
                CheckKey(context.Request.Headers.Authorization.ToString(), key);
            await next(context).ConfigureAwait(false);
            if (context.Response.StatusCode == 405 && !context.Response.HasStarted)
                throw new ApiException(405, $"{context.Request.Method} is not allowed on {path}", "invalid_request_error", null, "method_not_allowed");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; its generation was cancelled through RequestAborted.
            context.Response.StatusCode = 499;
        }
        catch (Exception e) when (e is ApiException or BadHttpRequestException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            if (context.RequestAborted.IsCancellationRequested) context.Response.StatusCode = 499;
            else await ErrorWriter.WriteAsync(context, e as ApiException ?? FromBadRequest(e)).ConfigureAwait(false);
        }
        catch (Exception e) when (EngineStreams.Map(e) is ApiException mapped)
        {
            await ErrorWriter.WriteAsync(context, mapped).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log?.LogError(e, "internal error on {Path}", path);
            if (context.RequestAborted.IsCancellationRequested) context.Response.StatusCode = 499;
            else await ErrorWriter.WriteAsync(context, new ApiException(500, $"internal error: {e.GetType().Name}: {e.Message}", "server_error", null, "internal_error")).ConfigureAwait(false);
        }
        finally
        {
            int status = context.Response.StatusCode;
            metrics.CountRequest(EndpointLabel(path), status);
            log?.LogInformation("{Method} {Path} {Status} {Ms:F1} ms", context.Request.Method, path, status, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static ApiException FromBadRequest(Exception e) => e is BadHttpRequestException b
        ? b.StatusCode == 413
            ? new ApiException(413, "the request body is too large", "invalid_request_error", null, "request_too_large")
            : new ApiException(b.StatusCode, $"bad request: {b.Message}", "invalid_request_error", null, "bad_request")
        : new ApiException(400, "the connection was reset", "invalid_request_error", null, "bad_request");

    private static void CheckKey(string header, string key)
    {
        const string scheme = "Bearer ";
        if (header.Length == 0) throw ApiException.Unauthorized("missing API key: send the header 'Authorization: Bearer KEY'");
        var given = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
            throw ApiException.Unauthorized("incorrect API key provided");
    }

    private static string EndpointLabel(PathString path) => path.Value switch
    {
        "/v1/chat/completions" or "/v1/completions" or "/v1/models" or "/health" or "/metrics" or "/tokenize" or "/detokenize" or "/" => path.Value,
        _ when path.StartsWithSegments("/v1/models", StringComparison.Ordinal) => "/v1/models/{id}",
        _ => "other",
    };
}
