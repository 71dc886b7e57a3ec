namespace Hearth.Runtime.Generation;

/// <summary>Why generation stopped.</summary>
public enum StopReason
{
    /// <summary>The model produced one of its end-of-sequence tokens.</summary>
    Eos,
    /// <summary>The text reached one of the stop strings (which is not emitted).</summary>
    StopString,
    /// <summary>The requested number of new tokens was generated.</summary>
    MaxTokens,
    /// <summary>The sequence filled the context (KV cache capacity).</summary>
    ContextFull,
    /// <summary>The caller cancelled.</summary>
    Cancelled,
}

public static class StopReasons
{
    /// <summary>snake_case name used in JSON output ("eos", "stop_string", "max_tokens", "context_full", "cancelled").</summary>
    public static string ToSnakeCase(this StopReason reason) => reason switch
    {
        StopReason.Eos => "eos",
        StopReason.StopString => "stop_string",
        StopReason.MaxTokens => "max_tokens",
        StopReason.ContextFull => "context_full",
        StopReason.Cancelled => "cancelled",
        _ => reason.ToString(),
    };
}
