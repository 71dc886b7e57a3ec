using Hearth.Compute;

namespace Hearth.Models;

public enum RopeScalingType { None, Linear, Llama3 }

/// <summary>RoPE scaling as in HF config.json "rope_scaling" / GGUF rope.scaling.*.</summary>
public sealed record RopeScaling(RopeScalingType Type, float Factor, float LowFreqFactor = 1, float HighFreqFactor = 4, int OriginalContextLength = 8192);

/// <summary>Hyper-parameters of a Llama-family model, read from config.json or GGUF metadata.</summary>
public sealed record ModelConfig
{
    /// <summary>Registry name: "llama", "mistral", "qwen2".</summary>
    public required string Architecture { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>hidden_size.</summary>
    public required int Dim { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    public required int HeadDim { get; init; }
    /// <summary>intermediate_size.</summary>
    public required int FfnDim { get; init; }
    /// <summary>max_position_embeddings / context_length.</summary>
    public required int ContextLength { get; init; }
    public required float RmsNormEps { get; init; }
    public required float RopeTheta { get; init; }
    public RopeScaling? RopeScaling { get; init; }
    /// <summary>Pairing of RoPE dimensions the stored q/k weights expect.</summary>
    public required RopeMode RopeMode { get; init; }
    /// <summary>0 = full attention.</summary>
    public int SlidingWindow { get; init; }
    /// <summary>First layer that uses <see cref="SlidingWindow"/> (Qwen2's max_window_layers); earlier layers attend fully.</summary>
    public int SlidingWindowFirstLayer { get; init; }
    public bool QkvBias { get; init; }
    public bool TiedEmbeddings { get; init; }
}
