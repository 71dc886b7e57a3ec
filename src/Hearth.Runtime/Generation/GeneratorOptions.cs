using Hearth.Runtime.Sampling;

namespace Hearth.Runtime.Generation;

/// <summary>Settings fixed when a <see cref="Generator"/> is created.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Context (KV cache capacity) in tokens; null = the model's context length, at most <see cref="DefaultContextCap"/>.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Prompts longer than this are prefilled in several steps of at most this many tokens.</summary>
    public int PrefillChunkSize { get; init; } = 512;

    /// <summary>Compiled step executables kept besides the decode (T = 1) one.</summary>
    public int MaxCachedExecutables { get; init; } = 4;

    public SamplerOptions Sampling { get; init; } = SamplerOptions.Greedy;

    /// <summary>New tokens per turn (from the last AppendTokens); null = until another stop condition.</summary>
    public int? MaxNewTokens { get; init; }

    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Keep generating past EOS tokens (benchmarks, golden comparisons).</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Leave special tokens (e.g. "&lt;|eot_id|&gt;") out of the streamed text.</summary>
    public bool SkipSpecialTokens { get; init; } = true;

    /// <summary>
    /// Candidates the device computes per step (OpKind.TopK) so that decode reads back a few hundred bytes instead of the
    /// logits row, when the sampling options allow it exactly (greedy, or top-k within them, no penalties: see
    /// <see cref="Sampler.CanSampleFromTopK"/>); 0 = always read the row. Null = <see cref="DefaultDeviceTopK"/> on GPUs
    /// (vulkan on a GPU, cuda), 0 elsewhere (on the CPU, lavapipe included, the row is already in host memory).
    /// </summary>
    public int? DeviceTopK { get; init; }

    public const int DefaultDeviceTopK = 64;

    /// <summary>The context used when neither the caller nor a small model config asks for less:
    /// an F32 cache of a 128k-context model would not fit most machines.</summary>
    public const int DefaultContextCap = 4096;
}
