using Hearth.Compute;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Vulkan;

/// <summary>Settings of a <see cref="VulkanDevice"/>.</summary>
public sealed record VulkanDeviceOptions
{
    /// <summary>Physical device index (the N of <c>--device vulkan:N</c>); null picks the first GPU, else device 0.</summary>
    public int? DeviceIndex { get; init; }

    /// <summary>Weights larger than this are split into row chunks bound separately; null = the device's maxStorageBufferRange. Tests lower it to exercise splitting.</summary>
    public long? WeightChunkBytes { get; init; }

    /// <summary>Tests: bind activations in pieces of at most this many bytes (default: the device's maxStorageBufferRange).</summary>
    internal long? ActivationBindingBytes { get; init; }

    /// <summary>
    /// Prefill through the 64x64-tiled matrix-matrix kernel (faster) instead of the matrix-vector kernel. Off by default:
    /// its sums run in another order, so a row's result would depend on the step's token count (not batch-invariant).
    /// </summary>
    public bool TiledPrefill { get; init; }

    /// <summary>
    /// How long <see cref="IExecutable.Run"/> waits for a step before it reports the device as hung (a HearthException;
    /// the graph then refuses to run until that step has finished). Default: 2 minutes on a GPU, 30 on a CPU driver.
    /// </summary>
    public TimeSpan? StepTimeout { get; init; }

    /// <summary>Tests and measurements: force one attention kernel (default: chosen by shape when each graph is compiled).</summary>
    internal AttentionKernel AttentionKernel { get; init; }

    /// <summary>Write a timestamp after every dispatch so <see cref="VulkanExecutable.DispatchTimes"/> says where a step's time goes.</summary>
    public bool Profile { get; init; }
}

/// <summary>
/// The Vulkan backend ("vulkan"): GLSL compute shaders compiled to SPIR-V (embedded), weights uploaded once in their
/// storage type, one recorded command buffer per compiled graph, activations in one planned arena. Tested against
/// cpu-ref by the conformance suite on Mesa's lavapipe.
/// </summary>
public sealed class VulkanDevice : IComputeDevice
{
    private readonly Dictionary<(HostTensor, bool), VulkanWeight> _weights = new();
    private readonly Lock _weightsGate = new();
    private bool _disposed;

    public VulkanDevice(VulkanDeviceOptions? options = null)
    {
        options ??= new VulkanDeviceOptions();
        int index = options.DeviceIndex ?? VulkanBackends.DefaultDeviceIndex();
        Context = VulkanContext.Get(index);
        WeightChunkBytes = Math.Min(options.WeightChunkBytes ?? Context.MaxStorageBufferRange, Context.MaxStorageBufferRange);
        Profile = options.Profile;
        TiledPrefill = options.TiledPrefill;
        AttentionKernel = options.AttentionKernel;
        StepTimeout = options.StepTimeout ?? Context.DefaultStepTimeout;
        if (StepTimeout <= TimeSpan.Zero) throw new HearthException($"StepTimeout must be positive, got {StepTimeout}");
        ActivationBindingBytes = Math.Min(options.ActivationBindingBytes ?? Context.MaxStorageBufferRange, Context.MaxStorageBufferRange);
        if (WeightChunkBytes < 256) throw new HearthException($"WeightChunkBytes must be at least 256, got {WeightChunkBytes}");
    }

    internal VulkanContext Context { get; }

    /// <summary>Executables check it: their descriptor sets point at this device's weight buffers.</summary>
    internal bool IsDisposed => _disposed;

    internal long WeightChunkBytes { get; }

    internal bool Profile { get; }

    internal bool TiledPrefill { get; }

    internal AttentionKernel AttentionKernel { get; }

    internal TimeSpan StepTimeout { get; }

    /// <summary>Largest activation range one binding covers; larger MatMul operands are bound per token range.</summary>
    internal long ActivationBindingBytes { get; }

    /// <summary>The physical device this runs on.</summary>
    public VulkanDeviceInfo Info => Context.Info;

    public string BackendName => VulkanBackends.Name;

    public string Description => $"Vulkan device {Info.Index}: {Info.Name} ({Info.Kind}, {Info.Driver})";

    public bool Supports(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return VulkanSupport.WhyUnsupported(node) is null;
    }

    public IStateBuffer AllocateState(string name, TensorType type, Shape shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new VulkanStateBuffer(Context, name, type, shape);
    }

    public IExecutable Compile(ComputeGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var node in graph.Nodes)
        {
            string? problem = VulkanSupport.WhyUnsupported(node);
            if (problem is not null)
                throw new HearthException($"backend '{BackendName}' cannot run graph node '{node.Name}' ({node.Op}): {problem}");
        }
        return new VulkanExecutable(this, graph);
    }

    /// <summary>Whether the tensor is already on the device (in any form).</summary>
    internal bool HasWeight(HostTensor tensor)
    {
        lock (_weightsGate) return _weights.ContainsKey((tensor, false)) || _weights.ContainsKey((tensor, true));
    }

    /// <summary>A weight on the device, uploaded on first use (in its storage type, or as F32 for weights read as activations).</summary>
    internal VulkanWeight Weight(HostTensor tensor, bool asF32)
    {
        lock (_weightsGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_weights.TryGetValue((tensor, asF32), out var weight))
            {
                // A weight read as an activation is one binding (never split), whatever the chunk size.
                weight = asF32
                    ? VulkanWeight.UploadAsF32(Context, tensor, Context.MaxStorageBufferRange)
                    : VulkanWeight.Upload(Context, tensor, WeightChunkBytes);
                _weights[(tensor, asF32)] = weight;
            }
            return weight;
        }
    }

    public void Dispose()
    {
        lock (_weightsGate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var weight in _weights.Values) weight.Dispose();
            _weights.Clear();
        }
    }
}

/// <summary>What this backend can run, and why not when it cannot (the reason goes into the Compile error).</summary>
internal static class VulkanSupport
{
    public static bool KernelType(TensorType type) => type is TensorType.F32 or TensorType.F16 or TensorType.BF16
        or TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1 or TensorType.Q8_0
        or TensorType.Q2_K or TensorType.Q3_K or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K;

    public static string ShaderSuffix(TensorType type) => TensorTypes.Info(type).Name.ToLowerInvariant();

    public static int Rows(Node x) => x.Shape.Rank == 0 || x.Shape.Last == 0 ? 0 : (int)(x.Shape.ElementCount / x.Shape.Last);

    public static VulkanStateBuffer? CacheOf(Node node) => node.Op switch
    {
        OpKind.State => node.State as VulkanStateBuffer,
        OpKind.KvWrite => CacheOf(node.Inputs[2]),
        _ => null,
    };

    public static string? WhyUnsupported(Node node)
    {
        var inputs = node.Inputs;
        return node.Op switch
        {
            OpKind.Input => node.Type == TensorType.I32 && node.Shape.Rank == 1 ? null : $"input must be I32 [T], is {node.Shape}",
            OpKind.Weight => CheckWeight(node),
            OpKind.Constant => node.Constant is not null && node.Constant.Length == node.Shape.ElementCount ? null : "constant has no values or the wrong count",
            OpKind.State => node.State is VulkanStateBuffer ? null : $"state buffer '{node.State?.Name}' was not allocated by the vulkan device",
            OpKind.Embedding => inputs[0].Op != OpKind.Weight ? $"embedding table {inputs[0].Name} must be a weight"
                : !KernelType(inputs[0].Type) ? $"embedding table type {TensorTypes.Info(inputs[0].Type).Name} has no Vulkan kernel yet"
                : CheckIds(inputs[1], node.Shape[0]),
            OpKind.RmsNorm => CheckFloat(inputs[0]) ?? CheckFloat(inputs[1]),
            OpKind.MatMul => CheckFloat(inputs[0]) ?? (inputs[1].Op == OpKind.Weight
                ? (KernelType(inputs[1].Type) ? null : $"weight type {TensorTypes.Info(inputs[1].Type).Name} has no Vulkan matmul kernel yet")
                : CheckFloat(inputs[1])),
            OpKind.Add or OpKind.Mul or OpKind.SiluMul => CheckFloat(inputs[0]) ?? CheckFloat(inputs[1]),
            OpKind.Scale => CheckFloat(inputs[0]),
            OpKind.TakeLastRows => CheckFloat(inputs[0]) ?? (inputs[0].Shape.Rank == 2 ? null : $"input {inputs[0].Name} must be 2-D, is {inputs[0].Shape}"),
            OpKind.Rope => CheckFloat(inputs[0]) ?? CheckIds(inputs[1], Rows(inputs[0])) ?? CheckFloat(inputs[2])
                ?? (node.P<RopeParams>().HeadDim % 2 == 0 && node.P<RopeParams>().HeadDim > 0 ? null : "head dimension must be even and positive"),
            OpKind.KvWrite => CheckFloat(inputs[0]) ?? CheckIds(inputs[1], Rows(inputs[0])) ?? CheckCache(inputs[2]),
            OpKind.Attention => CheckFloat(inputs[0]) ?? CheckIds(inputs[1], Rows(inputs[0])) ?? CheckCache(inputs[2]) ?? CheckCache(inputs[3])
                ?? CheckAttention(node),
            OpKind.GatherRows => CheckFloat(inputs[0]) ?? (inputs[0].Shape.Rank == 2 ? null : $"input {inputs[0].Name} must be 2-D, is {inputs[0].Shape}")
                ?? CheckIds(inputs[1], inputs[1].Shape[0]),
            OpKind.TopK => CheckFloat(inputs[0]) ?? (inputs[0].Shape.Rank == 2 ? null : $"input {inputs[0].Name} must be 2-D, is {inputs[0].Shape}"),
            _ => $"op {node.Op} has no Vulkan kernel yet",
        };
    }

    private static string? CheckAttention(Node node)
    {
        var p = node.P<AttentionParams>();
        if (p.HeadDim <= 0 || p.SlidingWindow < 0) return "head dimension must be positive and the sliding window not negative";
        if (p.HeadDim > 8 * VulkanExecutable.AttentionWorkGroup) return $"head dimension {p.HeadDim} is above the attention kernel's {8 * VulkanExecutable.AttentionWorkGroup}";
        if (!p.IsPaged) return node.Inputs.Count == 4 ? null : "a block table needs a positive block size";
        if (node.Inputs.Count != 5) return $"paged attention (block size {p.BlockSize}) needs a block table operand";
        return CheckIds(node.Inputs[4], Rows(node.Inputs[0]) * p.MaxBlocksPerSeq);
    }

    private static string? CheckWeight(Node node)
    {
        var tensor = node.Weight;
        if (tensor is null) return "weight node has no tensor";
        if (!Dequant.Supports(tensor.Type)) return $"weight type {TensorTypes.Info(tensor.Type).Name} is not supported";
        if (tensor.Shape.Rank == 0 || tensor.Shape.ElementCount == 0) return $"weight {tensor} is empty";
        try
        {
            long expected = TensorTypes.TensorBytes(tensor.Type, tensor.Shape);
            return tensor.ByteLength < expected ? $"weight {tensor} has {tensor.ByteLength} bytes, its shape needs {expected}" : null;
        }
        catch (HearthException e)
        {
            return $"weight {tensor}: {e.Message}";
        }
    }

    /// <summary>Whether a node's value is an F32 activation on the device (weights read as activations are converted once).</summary>
    public static bool IsFloatValue(Node node) => node.Op switch
    {
        OpKind.Input or OpKind.State or OpKind.KvWrite => false,
        OpKind.Weight => Dequant.Supports(node.Type),
        _ => node.Type == TensorType.F32,
    };

    private static string? CheckFloat(Node x) => IsFloatValue(x) ? null : $"operand {x.Name} ({x.Op}) is not an F32 activation";

    private static string? CheckIds(Node ids, int expectedLength)
    {
        if (ids.Type != TensorType.I32 || ids.Op != OpKind.Input) return $"operand {ids.Name} must be an I32 input";
        return ids.Shape[0] == expectedLength ? null : $"operand {ids.Name} has {ids.Shape[0]} values, expected one per row ({expectedLength})";
    }

    private static string? CheckCache(Node cache) =>
        CacheOf(cache) is null ? $"cache operand {cache.Name} is not a vulkan state buffer (or a KvWrite into one)" : null;
}
