using Hearth.Compute;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Cpu.Reference;

/// <summary>What the reference backend can run, and why not when it cannot (the reason goes into the Compile error).</summary>
internal static class ReferenceSupport
{
    /// <summary>Null when supported; otherwise what is wrong, in words.</summary>
    public static string? WhyUnsupported(Node node)
    {
        var inputs = node.Inputs;
        return node.Op switch
        {
            OpKind.Input => node.Type == TensorType.I32 && node.Shape.Rank == 1 ? null : $"input must be I32 [T], is {TypeName(node.Type)}{node.Shape}",
            OpKind.Weight => CheckWeight(node),
            OpKind.Constant => node.Constant is not null && node.Constant.Length == node.Shape.ElementCount ? null : "constant has no values or the wrong count",
            OpKind.State => node.State is CpuStateBuffer ? null : $"state buffer '{node.State?.Name}' was not allocated by the cpu-ref device",
            OpKind.Embedding => inputs[0].Op != OpKind.Weight ? $"embedding table {inputs[0].Name} must be a weight"
                : CheckIds(inputs[1], node.Shape[0]),
            OpKind.RmsNorm => CheckFloat(inputs[0]) ?? CheckFloat(inputs[1]),
            OpKind.MatMul => CheckMatMul(inputs[0], inputs[1]),
            OpKind.Add or OpKind.Mul or OpKind.SiluMul => CheckFloat(inputs[0]) ?? CheckFloat(inputs[1]),
            OpKind.Scale => CheckFloat(inputs[0]),
            OpKind.TakeLastRows => CheckFloat(inputs[0]) ?? (inputs[0].Shape.Rank == 2 ? null : $"input {inputs[0].Name} must be 2-D, is {inputs[0].Shape}"),
            OpKind.Rope => CheckFloat(inputs[0]) ?? CheckIds(inputs[1], Rows(inputs[0])) ?? CheckFloat(inputs[2]) ?? CheckRope(node.P<RopeParams>()),
            OpKind.KvWrite => CheckFloat(inputs[0]) ?? CheckIds(inputs[1], Rows(inputs[0])) ?? CheckCache(inputs[2]),
            OpKind.Attention => CheckFloat(inputs[0]) ?? CheckIds(inputs[1], Rows(inputs[0])) ?? CheckCache(inputs[2]) ?? CheckCache(inputs[3])
                ?? CheckAttention(node),
            OpKind.GatherRows => CheckFloat(inputs[0]) ?? (inputs[0].Shape.Rank == 2 ? null : $"input {inputs[0].Name} must be 2-D, is {inputs[0].Shape}")
                ?? CheckIds(inputs[1], node.Shape[0]),
            OpKind.TopK => CheckFloat(inputs[0]) ?? (inputs[0].Shape.Rank == 2 ? null : $"input {inputs[0].Name} must be 2-D, is {inputs[0].Shape}"),
            _ => $"op {node.Op} is unknown to cpu-ref",
        };
    }

    /// <summary>Rows of an activation seen as [rows, Shape.Last].</summary>
    public static int Rows(Node x) => x.Shape.Rank == 0 || x.Shape.Last == 0 ? 0 : (int)(x.Shape.ElementCount / x.Shape.Last);

    /// <summary>The state buffer a cache operand (a State node or a KvWrite into one) refers to.</summary>
    public static CpuStateBuffer? CacheOf(Node node) => node.Op switch
    {
        OpKind.State => node.State as CpuStateBuffer,
        OpKind.KvWrite => CacheOf(node.Inputs[2]),
        _ => null,
    };

    /// <summary>Whether a node's value is an F32 activation this backend holds as a float[] (weights consumed as activations are dequantized once).</summary>
    public static bool IsFloatValue(Node node) => node.Op switch
    {
        OpKind.Input or OpKind.State or OpKind.KvWrite => false,
        OpKind.Weight => Dequant.Supports(node.Type),
        _ => node.Type == TensorType.F32,
    };

    private static string TypeName(TensorType type) => TensorTypes.IsKnown(type) ? TensorTypes.Info(type).Name : $"type {(int)type}";

    private static string? CheckWeight(Node node)
    {
        var tensor = node.Weight;
        if (tensor is null) return "weight node has no tensor";
        if (!Dequant.Supports(tensor.Type)) return $"weight type {TypeName(tensor.Type)} is not supported";
        if (tensor.Shape.Rank == 0 || tensor.Shape.ElementCount == 0) return $"weight {tensor} is empty";
        long expected;
        try
        {
            expected = TensorTypes.TensorBytes(tensor.Type, tensor.Shape);
        }
        catch (HearthException e)
        {
            return $"weight {tensor}: {e.Message}";
        }
        catch (OverflowException)
        {
            return $"weight {tensor} is too large";
        }
        return tensor.ByteLength < expected ? $"weight {tensor} has {tensor.ByteLength} bytes, its shape needs {expected}" : null;
    }

    private static string? CheckFloat(Node x) =>
        IsFloatValue(x) ? null : $"operand {x.Name} ({x.Op}, {TypeName(x.Type)}) is not an F32 activation";

    private static string? CheckIds(Node ids, int expectedLength)
    {
        if (ids.Type != TensorType.I32 || ids.Op != OpKind.Input) return $"operand {ids.Name} must be an I32 input";
        return ids.Shape[0] == expectedLength ? null : $"operand {ids.Name} has {ids.Shape[0]} values, expected one per row ({expectedLength})";
    }

    private static string? CheckMatMul(Node x, Node w)
    {
        if (CheckFloat(x) is { } problem) return problem;
        if (x.Shape.Rank != 2) return $"input {x.Name} must be 2-D [T, in], is {x.Shape}";
        return w.Op == OpKind.Weight ? CheckWeight(w) : CheckFloat(w);
    }

    private static string? CheckRope(RopeParams p) =>
        p.HeadDim > 0 && p.HeadDim % 2 == 0 && p.HeadCount > 0 ? null : $"RoPE needs a positive even head dimension and head count, got {p.HeadCount} x {p.HeadDim}";

    /// <summary>Attention parameters and, when paged, the block table operand (shared by both CPU backends).</summary>
    public static string? CheckAttention(Node node)
    {
        var p = node.P<AttentionParams>();
        if (p.HeadDim <= 0 || p.SlidingWindow < 0) return "head dimension must be positive and the sliding window not negative";
        if (!p.IsPaged) return node.Inputs.Count == 4 ? null : "a block table needs a positive block size";
        if (node.Inputs.Count != 5) return $"paged attention (block size {p.BlockSize}) needs a block table operand";
        return CheckIds(node.Inputs[4], Rows(node.Inputs[0]) * p.MaxBlocksPerSeq);
    }

    private static string? CheckCache(Node cache) =>
        CacheOf(cache) is null ? $"cache operand {cache.Name} is not a cpu-ref state buffer (or a KvWrite into one)" : null;
}
