namespace Hearth.Server;

/// <summary>Settings of the HTTP server.</summary>
public sealed record ServerOptions
{
    /// <summary>Address to bind; loopback unless told otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port; 0 = any free port (tests read the bound address from <see cref="HearthServer.BoundAddress"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>When set, /v1/*, /tokenize and /detokenize need "Authorization: Bearer KEY".</summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest accepted request body.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 << 20;

    /// <summary>Largest n (choices per request).</summary>
    public int MaxN { get; init; } = 8;

    /// <summary>Temperature when a request gives none (OpenAI's default is 1).</summary>
    public float DefaultTemperature { get; init; } = 1f;

    /// <summary>max_tokens of a text completion that gives none (OpenAI's default is 16); chat has no default limit.</summary>
    public int? DefaultCompletionMaxTokens { get; init; } = 16;

    /// <summary>Write one log line per request to the console.</summary>
    public bool LogRequests { get; init; }
}
