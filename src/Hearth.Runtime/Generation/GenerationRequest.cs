using Hearth.Runtime.Sampling;

namespace Hearth.Runtime.Generation;

/// <summary>One text generation: a prompt (text or ids) and how to continue it.</summary>
public sealed record GenerationRequest
{
    /// <summary>Prompt text, encoded with the model's own BOS setting. Exactly one of Prompt / PromptIds.</summary>
    public string? Prompt { get; init; }

    /// <summary>Prompt token ids, used exactly as given (no BOS added).</summary>
    public IReadOnlyList<int>? PromptIds { get; init; }

    public SamplerOptions Sampling { get; init; } = SamplerOptions.Greedy;

    /// <summary>null = until EOS, a stop string or the end of the context.</summary>
    public int? MaxNewTokens { get; init; }

    public IReadOnlyList<string> StopStrings { get; init; } = [];

    public bool IgnoreEos { get; init; }

    public bool SkipSpecialTokens { get; init; } = true;

    /// <summary>Record the K largest logits of every generated step (0 = none).</summary>
    public int TopLogits { get; init; }
}

/// <summary>A logit of one token.</summary>
public readonly record struct TokenLogit(int Id, float Logit);

/// <summary>One streamed piece: a generated token and the text it made ready. The last chunk carries <see cref="Result"/>.</summary>
public sealed record GenerationChunk(int TokenId, string Text)
{
    /// <summary>Set on the final chunk only (whose TokenId is -1 and Text empty).</summary>
    public GenerationResult? Result { get; init; }
}

/// <summary>The outcome of a generation.</summary>
public sealed record GenerationResult
{
    public required IReadOnlyList<int> PromptIds { get; init; }
    public required IReadOnlyList<int> GeneratedIds { get; init; }
    public required string Text { get; init; }
    public required StopReason StopReason { get; init; }
    /// <summary>A sentence saying why generation stopped.</summary>
    public required string StopMessage { get; init; }
    public required GenerationTimings Timings { get; init; }
    /// <summary>Per generated step, the K largest raw logits (when requested).</summary>
    public IReadOnlyList<IReadOnlyList<TokenLogit>>? TopLogits { get; init; }
}
