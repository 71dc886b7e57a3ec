using Hearth.Core;
using Hearth.Models;

namespace Hearth.Runtime.Benchmarking;

/// <summary>
/// What one token costs a model: the weight bytes it reads and the FLOPs it does, for the
/// GB/s and roofline figures (docs/performance.md). Weight bytes per token = every tensor's bytes
/// except the token embedding table (a lookup reads one row); the LM head counts, and a tied
/// embedding counts once, as the LM head that reads it whole.
/// </summary>
public sealed record ModelCost
{
    /// <summary>Bytes of every tensor in the file (llama-bench's "size").</summary>
    public required long SizeBytes { get; init; }
    /// <summary>Elements of every tensor (llama-bench's "params").</summary>
    public required long ParameterCount { get; init; }
    /// <summary>Weight bytes read per decoded token.</summary>
    public required long WeightBytesPerToken { get; init; }
    /// <summary>Elements of the matrices every token multiplies by (2 FLOPs each): 2-D weights except the embedding lookup.</summary>
    public required long MatMulParameters { get; init; }
    /// <summary>Whether the LM head reads the token embedding table.</summary>
    public required bool TiedEmbeddings { get; init; }
    /// <summary>The storage type holding most weight bytes ("Q8_0", "F16", ...).</summary>
    public required string WeightType { get; init; }
    public required int LayerCount { get; init; }
    /// <summary>Query heads x head dim: one attention score (and one weighted value) per cached position costs 2 FLOPs each per element.</summary>
    public required int AttentionWidth { get; init; }

    private static readonly HashSet<string> EmbeddingNames = new(StringComparer.Ordinal) { "token_embd.weight", "model.embed_tokens.weight" };
    private static readonly HashSet<string> OutputNames = new(StringComparer.Ordinal) { "output.weight", "lm_head.weight" };

    public static ModelCost Of(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Of(model.Weights.Tensors.Select(t => new TensorInfo(t.Name, t.Type, t.Shape, t.ByteLength)).ToList(), model.Config);
    }

    /// <summary>From a tensor list (GGUF or Hugging Face names) and the model's shape.</summary>
    public static ModelCost Of(IReadOnlyList<TensorInfo> tensors, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(config);
        bool hasOutput = tensors.Any(t => OutputNames.Contains(t.Name));
        long size = 0, parameters = 0, perToken = 0, matmul = 0;
        var bytesByType = new Dictionary<TensorType, long>();
        foreach (var t in tensors)
        {
            long elements = t.Shape.ElementCount;
            size += t.ByteLength;
            parameters += elements;
            bool embedding = EmbeddingNames.Contains(t.Name);
            if (embedding && hasOutput) continue; // a lookup reads one row per token
            perToken += t.ByteLength;
            if (t.Shape.Rank >= 2)
            {
                matmul += elements;
                bytesByType[t.Type] = bytesByType.GetValueOrDefault(t.Type) + t.ByteLength;
            }
        }
        var mainType = bytesByType.Count == 0 ? "?" : TensorTypes.Info(bytesByType.MaxBy(p => p.Value).Key).Name;
        return new ModelCost
        {
            SizeBytes = size,
            ParameterCount = parameters,
            WeightBytesPerToken = perToken,
            MatMulParameters = matmul,
            TiedEmbeddings = !hasOutput,
            WeightType = mainType,
            LayerCount = config.LayerCount,
            AttentionWidth = config.HeadCount * config.HeadDim,
        };
    }

    /// <summary>FLOPs of one step over <paramref name="tokenCount"/> tokens at positions startPosition..: 2 per
    /// matrix element per token, plus attention (q.k and p.v, 2 FLOPs each, per query head and cached position).</summary>
    public double StepFlops(int tokenCount, int startPosition)
    {
        double matmulFlops = 2.0 * MatMulParameters * tokenCount;
        // Token at position p attends to p + 1 positions: sum over the step's tokens.
        double attendedPositions = (double)tokenCount * startPosition + (double)tokenCount * (tokenCount + 1) / 2;
        double attentionFlops = 4.0 * AttentionWidth * LayerCount * attendedPositions;
        return matmulFlops + attentionFlops;
    }
}
