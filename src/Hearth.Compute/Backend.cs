using Hearth.Core;

namespace Hearth.Compute;

/// <summary>
/// A compute device: owns buffers, says which ops it supports, and compiles a graph into an
/// executable that is run again and again (once per step) with new inputs.
/// </summary>
public interface IComputeDevice : IDisposable
{
    /// <summary>Backend name as used on the command line ("cpu-ref", "cpu", "vulkan", "cuda").</summary>
    string BackendName { get; }

    /// <summary>Human-readable device description.</summary>
    string Description { get; }

    /// <summary>Whether this device can execute the node (op, types, parameters).</summary>
    bool Supports(Node node);

    /// <summary>Allocates persistent state (e.g. one layer's K or V cache), zero-filled.</summary>
    IStateBuffer AllocateState(string name, TensorType type, Shape shape);

    /// <summary>Compiles a graph. Throws <see cref="HearthException"/> naming the first unsupported node.</summary>
    IExecutable Compile(ComputeGraph graph);
}

/// <summary>Persistent device memory (KV cache) that survives between steps.</summary>
public interface IStateBuffer : IDisposable
{
    string Name { get; }
    TensorType Type { get; }
    Shape Shape { get; }

    /// <summary>Zero the rows [fromRow, Shape[0]) (used when a sequence is truncated or reset).</summary>
    void Clear(int fromRow = 0);

    /// <summary>Copy row range [fromRow, fromRow + count) out as F32 (tests and debugging).</summary>
    void ReadRows(int fromRow, int count, Span<float> destination);

    /// <summary>Copies rows [srcRow, srcRow + count) onto [dstRow, dstRow + count) in the storage type, bit for bit
    /// (copy-on-write of a shared KV block). The ranges must not overlap.</summary>
    void CopyRows(int srcRow, int dstRow, int count);
}

/// <summary>A compiled graph. Not thread-safe: one step at a time.</summary>
public interface IExecutable : IDisposable
{
    ComputeGraph Graph { get; }

    /// <summary>Sets an <see cref="OpKind.Input"/> node's values for the next run.</summary>
    void SetInput(Node input, ReadOnlySpan<int> values);

    /// <summary>Executes the graph.</summary>
    void Run();

    /// <summary>Copies an output node (or, where the backend keeps it, any named intermediate) as F32.</summary>
    void Read(Node node, Span<float> destination);
}
