using Hearth.Backends.Cpu.Reference;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Threading;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Simd;

/// <summary>
/// The fast CPU device ("cpu"): SIMD kernels on the weights' storage types (8-bit quantized activations and
/// integer dot products for quantized weights), a dedicated thread pool, and a static memory plan so a step
/// allocates nothing. Every op of <see cref="OpKind"/>; tested against cpu-ref by the conformance suite.
/// </summary>
public sealed class CpuDevice : IComputeDevice
{
    private readonly CpuThreadPool _pool;

    /// <param name="threadCount">Threads for matmul and attention; 0 or less means <see cref="Environment.ProcessorCount"/>.</param>
    public CpuDevice(int threadCount = 0) => _pool = new CpuThreadPool(threadCount);

    public string BackendName => CpuBackends.FastName;

    public string Description =>
        $"CPU ({_pool.ThreadCount} threads, {CpuBackends.KernelFeatures} kernels)";

    public int ThreadCount => _pool.ThreadCount;

    public bool Supports(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return WhyUnsupported(node) is null;
    }

    public IStateBuffer AllocateState(string name, TensorType type, Shape shape) => new CpuFastStateBuffer(name, type, shape);

    public IExecutable Compile(ComputeGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        foreach (var node in graph.Nodes)
        {
            string? problem = WhyUnsupported(node);
            if (problem is not null)
                throw new HearthException($"backend '{BackendName}' cannot run graph node '{node.Name}' ({node.Op}): {problem}");
        }
        return new CpuExecutable(graph, _pool);
    }

    /// <summary>The state buffer a cache operand (a State node or a KvWrite into one) refers to.</summary>
    internal static CpuFastStateBuffer? CacheOf(Node node) => node.Op switch
    {
        OpKind.State => node.State as CpuFastStateBuffer,
        OpKind.KvWrite => CacheOf(node.Inputs[2]),
        _ => null,
    };

    // Shape and type rules are the reference backend's; only the state buffers differ.
    private static string? WhyUnsupported(Node node)
    {
        var inputs = node.Inputs;
        switch (node.Op)
        {
            case OpKind.State:
                return node.State is CpuFastStateBuffer ? null : $"state buffer '{node.State?.Name}' was not allocated by the cpu device";
            case OpKind.KvWrite:
                return CheckCache(inputs[2]) ?? (ReferenceSupport.IsFloatValue(inputs[0]) ? null : $"operand {inputs[0].Name} is not an F32 activation")
                    ?? CheckIds(inputs[1], ReferenceSupport.Rows(inputs[0]));
            case OpKind.Attention:
                return CheckCache(inputs[2]) ?? CheckCache(inputs[3])
                    ?? (ReferenceSupport.IsFloatValue(inputs[0]) ? null : $"operand {inputs[0].Name} is not an F32 activation")
                    ?? CheckIds(inputs[1], ReferenceSupport.Rows(inputs[0]))
                    ?? ReferenceSupport.CheckAttention(node);
            default:
                return ReferenceSupport.WhyUnsupported(node)?.Replace("cpu-ref", "cpu", StringComparison.Ordinal);
        }
    }

    private static string? CheckIds(Node ids, int expectedLength)
    {
        if (ids.Type != TensorType.I32 || ids.Op != OpKind.Input) return $"operand {ids.Name} must be an I32 input";
        return ids.Shape[0] == expectedLength ? null : $"operand {ids.Name} has {ids.Shape[0]} values, expected one per row ({expectedLength})";
    }

    private static string? CheckCache(Node cache) =>
        CacheOf(cache) is null ? $"cache operand {cache.Name} is not a cpu state buffer (or a KvWrite into one)" : null;

    public void Dispose() => _pool.Dispose();
}
