namespace Hearth.Server.LoadTesting;

/// <summary>What `hearth loadtest` sends: <see cref="Requests"/> streaming requests, at most <see cref="Concurrency"/> at once.</summary>
public sealed record LoadTestOptions
{
    /// <summary>Base URL of any OpenAI-compatible server ("http://127.0.0.1:8080", with or without "/v1").</summary>
    public required string Url { get; init; }
    public int Concurrency { get; init; } = 4;
    public int Requests { get; init; } = 32;
    /// <summary>Prompt length in tokens: exact on /v1/completions when the server tokenizes (POST /tokenize: Hearth, vLLM,
    /// llama.cpp), the prompts then going as token ids; otherwise this many common words (the server's usage reports the
    /// real count).</summary>
    public int PromptTokens { get; init; } = 128;
    public int MaxTokens { get; init; } = 64;
    /// <summary>Model id to send; null = the first of GET /v1/models.</summary>
    public string? Model { get; init; }
    public string? ApiKey { get; init; }
    /// <summary>"completions" (/v1/completions, as vLLM's benchmark) or "chat" (/v1/chat/completions).</summary>
    public string Endpoint { get; init; } = "completions";
    /// <summary>Seed of the prompt words, so runs are comparable.</summary>
    public int Seed { get; init; } = 1;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// Untimed requests sent one at a time before the run (as vLLM's initial test run): the server's first requests
    /// pay for compiling its steps, and a wrong URL, key or model fails once, clearly, instead of N times.
    /// </summary>
    public int WarmupRequests { get; init; } = 1;
}
