using Hearth.Core;
using Hearth.Runtime.Sampling;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Runtime.Serving;

/// <summary>
/// What a server needs from an engine that runs many requests on one model at once.
/// <see cref="Submit"/> admits a request (or throws at once) and returns its token stream; the
/// stream ends with an <see cref="EngineEvent"/> whose <see cref="EngineEvent.Finish"/> is set.
/// Cancelling the token (client gone) ends the sequence at the next step and frees its KV blocks.
/// Implementations are thread-safe: many callers submit and read concurrently.
/// </summary>
public interface IInferenceEngine : IAsyncDisposable
{
    /// <summary>Model id reported by /v1/models.</summary>
    string ModelName { get; }

    ITokenizer Tokenizer { get; }

    /// <summary>The model's chat template, when it has one.</summary>
    ChatTemplate? ChatTemplate { get; }

    /// <summary>Tokens one sequence may hold (prompt + generated).</summary>
    int ContextLength { get; }

    /// <summary>Admits a request. Throws <see cref="EngineOverloadedException"/> when the bounded queue is full,
    /// <see cref="PromptTooLongException"/> when the prompt cannot fit the context, <see cref="HearthException"/>
    /// for any other invalid request (message names the field). Never blocks on the model.</summary>
    IAsyncEnumerable<EngineEvent> Submit(EngineRequest request, CancellationToken cancellationToken = default);

    /// <summary>Counters and gauges for /metrics and /health.</summary>
    EngineMetrics GetMetrics();
}

/// <summary>One generation request as the engine sees it (token ids in, token ids and text out).</summary>
public sealed record EngineRequest
{
    /// <summary>Prompt token ids, used exactly as given (BOS / template already applied).</summary>
    public required IReadOnlyList<int> PromptIds { get; init; }

    /// <summary>Sampling, including the seed (null = random).</summary>
    public SamplerOptions Sampling { get; init; } = SamplerOptions.Greedy;

    /// <summary>Maximum tokens to generate; null = until EOS, a stop string or the end of the context.</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Generation stops when the text contains one of these; the stop string itself is never emitted.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    public bool IgnoreEos { get; init; }

    public bool SkipSpecialTokens { get; init; } = true;

    /// <summary>Report each generated token's log-probability (log-softmax of the raw logits) and this many
    /// most likely alternatives (0 = only the chosen token's when <see cref="Logprobs"/> is set).</summary>
    public bool Logprobs { get; init; }

    public int TopLogprobs { get; init; }

    /// <summary>Caller's id for logs and metrics.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// Requests submitted together with the same group and the same prompt (a request's n choices) share the prompt: the
    /// engine computes it once and forks the block table (copy-on-write), so each further choice runs only its last
    /// prompt token (for its own logits). Null: no sharing beyond the prefix cache. Results are the same either way.
    /// </summary>
    public object? ShareGroup { get; init; }
}

/// <summary>A token and its log-probability.</summary>
public readonly record struct TokenLogprob(int Id, float Logprob);

/// <summary>One streamed event: a generated token with the text it made ready (may be empty), or, as the last
/// event, the finish (TokenId -1, empty text, <see cref="Finish"/> set).</summary>
public sealed record EngineEvent(int TokenId, string Text)
{
    /// <summary>Log-probability of <see cref="TokenId"/> when requested.</summary>
    public float? Logprob { get; init; }

    /// <summary>The most likely alternatives when requested, most likely first.</summary>
    public IReadOnlyList<TokenLogprob>? TopLogprobs { get; init; }

    public EngineFinish? Finish { get; init; }
}

/// <summary>Why and after how much a sequence ended.</summary>
/// <param name="Reason">"stop" (EOS or stop string), "length" (max tokens or context), "cancelled", or "error" (the step
/// failed; <paramref name="Message"/> says why).</param>
public sealed record EngineFinish(string Reason, string Message, int PromptTokens, int CompletionTokens, int CachedPromptTokens,
    TimeSpan TimeToFirstToken, TimeSpan Total);

/// <summary>Snapshot of the engine's state.</summary>
public sealed record EngineMetrics
{
    public int RunningSequences { get; init; }
    public int WaitingRequests { get; init; }
    public int MaxWaitingRequests { get; init; }
    public int KvBlockSize { get; init; }
    public int KvBlocksTotal { get; init; }
    public int KvBlocksUsed { get; init; }
    public int KvBlocksFree { get; init; }
    /// <summary>Blocks held only by the prefix cache (reusable, evictable).</summary>
    public int KvBlocksCached { get; init; }
    public long KvCacheBytes { get; init; }
    public long RequestsTotal { get; init; }
    public long PromptTokensTotal { get; init; }
    public long CachedPromptTokensTotal { get; init; }
    /// <summary>Shared KV blocks copied before a write (forks of one prompt, <see cref="EngineRequest.ShareGroup"/>).</summary>
    public long KvCopyOnWritesTotal { get; init; }
    public long GeneratedTokensTotal { get; init; }
    public long PreemptionsTotal { get; init; }
    public long StepsTotal { get; init; }
}

/// <summary>The bounded queue is full (HTTP 429). <see cref="RetryAfter"/> is a hint for the client.</summary>
public sealed class EngineOverloadedException(string message, TimeSpan retryAfter) : HearthException(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The prompt (plus at least one generated token) does not fit the context (HTTP 413 / 400).</summary>
public sealed class PromptTooLongException(int promptTokens, int contextLength)
    : HearthException($"the prompt has {promptTokens} tokens but the context holds {contextLength} (including at least one generated token)")
{
    public int PromptTokens { get; } = promptTokens;
    public int ContextLength { get; } = contextLength;
}
