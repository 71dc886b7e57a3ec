using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference;

/// <summary>
/// The scalar CPU reference device: plain loops, every op of <see cref="OpKind"/>, every
/// intermediate kept so any node can be read back. Never optimised; clarity first.
/// Numerics: element-wise math is float32 as PyTorch does it; the reductions written here (F32 matmul dots,
/// sums of squares, attention dots and softmax denominators) accumulate in double and round once to float.
/// Non-F32 weights are decoded only by Hearth.Core.Quants: Dequant.Row, and RowDot.Dot (which accumulates in float).
/// </summary>
public sealed class CpuReferenceDevice : IComputeDevice
{
    public string BackendName => CpuBackends.ReferenceName;

    public string Description => $"CPU reference (scalar, {Environment.ProcessorCount} threads for matmul rows)";

    public bool Supports(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return ReferenceSupport.WhyUnsupported(node) is null;
    }

    public IStateBuffer AllocateState(string name, TensorType type, Shape shape) => new CpuStateBuffer(name, type, shape);

    public IExecutable Compile(ComputeGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        foreach (var node in graph.Nodes)
        {
            string? problem = ReferenceSupport.WhyUnsupported(node);
            if (problem is not null)
                throw new HearthException($"backend '{BackendName}' cannot run graph node '{node.Name}' ({node.Op}): {problem}");
        }
        return new CpuReferenceExecutable(graph);
    }

    public void Dispose()
    {
        // Nothing native: state buffers are owned (and disposed) by whoever allocated them.
    }
}
