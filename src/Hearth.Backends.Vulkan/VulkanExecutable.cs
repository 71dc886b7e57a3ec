using System.Runtime.InteropServices;
using Hearth.Backends.Vulkan.Interop;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

/// <summary>
/// A compiled graph: activations planned into one arena, inputs and read-back outputs in one host-visible buffer,
/// and the whole step recorded once into one command buffer that <see cref="Run"/> submits (one submission per
/// step, nothing allocated). Timestamps around the step give <see cref="LastGpuMilliseconds"/>.
/// </summary>
public sealed unsafe partial class VulkanExecutable : IExecutable
{
    internal const uint MatVecWorkGroup = 64, MatVecRows = 8, MatMulWorkGroup = 256, ElementWorkGroup = 256, AttentionWorkGroup = 64;

    /// <summary>Token counts up to this use the matrix-vector kernel; above it the tiled matrix-matrix kernel.</summary>
    internal const int MatVecMaxTokens = 4;

    /// <summary>Tokens per workgroup of the matrix-vector kernel (MAX_T in matvec.comp).</summary>
    internal const uint MatVecTokens = 4;

    private readonly VulkanDevice _device;
    private readonly VulkanContext _context;
    private readonly Dictionary<Node, Slice> _values = [];
    private readonly Dictionary<Node, long> _outputOffsets = [];
    private readonly Dictionary<Node, int[]> _inputValues = [];
    private readonly List<(Node Input, int Limit, string What)> _inputChecks = [];
    private readonly List<(string Node, Node Positions, Node Tables, AttentionParams Params, int Blocks)> _pagedChecks = [];
    private readonly List<Dispatch> _dispatches = [];
    private readonly List<VulkanBuffer> _owned = [];
    private readonly VulkanBuffer? _arena;
    private readonly VulkanBuffer _io;
    private readonly VkObjectHandle _commandPool;
    private readonly VkObjectHandle _descriptorPool;
    private readonly VkObjectHandle _fence;
    private readonly VkObjectHandle? _queries;
    private readonly nint _commands;
    private bool _disposed;
    private bool _pending;  // the last submission timed out and may still run

    internal readonly record struct Slice(VulkanBuffer Buffer, long Offset, long Size)
    {
        /// <summary>Bytes [from, from + count) of this slice, bound at an aligned offset: the binding and the element offset inside it.</summary>
        public (Slice Binding, uint ElementOffset) Part(long from, long count, long alignment)
        {
            long start = Offset + from;
            long bound = start / alignment * alignment;
            return (new Slice(Buffer, bound, start - bound + count), (uint)((start - bound) / 4));
        }
    }

    private sealed record Dispatch(string Label, VulkanPipeline Pipeline, Slice[] Bindings, uint[] Push, uint X, uint Y, uint Z);

    private Node? _encoding;
    private double[] _dispatchMilliseconds = [];

    internal VulkanExecutable(VulkanDevice device, ComputeGraph graph)
    {
        _device = device;
        _context = device.Context;
        Graph = graph;
        try
        {
            _io = PlanHostBuffer();
            _arena = PlanArena();
            foreach (var node in graph.Nodes)
            {
                _encoding = node;
                Encode(node);
            }
            _dispatchMilliseconds = new double[device.Profile ? _dispatches.Count : 0];
            _commandPool = _context.CreateCommandPool();
            _commands = _context.AllocateCommandBuffer(_commandPool);
            _fence = _context.CreateFence();
            _descriptorPool = CreateDescriptorPool();
            if (_context.TimestampValidBits > 0) _queries = CreateQueryPool();
            Record();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ComputeGraph Graph { get; }

    /// <summary>GPU time of the last <see cref="Run"/> in milliseconds, from timestamp queries (NaN where the queue has none).</summary>
    public double LastGpuMilliseconds { get; private set; } = double.NaN;

    /// <summary>
    /// With <see cref="VulkanDeviceOptions.Profile"/>: GPU milliseconds of each dispatch of the last run, labelled
    /// "node (shader)"; empty otherwise.
    /// </summary>
    public IReadOnlyList<(string Label, double Milliseconds)> DispatchTimes =>
        [.. _dispatchMilliseconds.Select((ms, i) => (_dispatches[i].Label, ms))];

    /// <summary>Bytes of the activation arena (after lifetime-based reuse).</summary>
    public long ArenaBytes => _arena?.Size ?? 0;

    /// <summary>Dispatches recorded into the step's command buffer.</summary>
    public int DispatchCount => _dispatches.Count;

    /// <summary>Shader of each recorded dispatch, in order (tests check which kernels a shape picked).</summary>
    internal IReadOnlyList<string> DispatchShaders => [.. _dispatches.Select(d => d.Pipeline.Name)];

    // Inputs (I32) and outputs (F32 copies read back) in one host-visible buffer.
    private VulkanBuffer PlanHostBuffer()
    {
        long offset = 0;
        var inputOffsets = new List<(Node, long)>();
        foreach (var node in Graph.Nodes.Where(n => n.Op == OpKind.Input))
        {
            inputOffsets.Add((node, offset));
            offset += ArenaPlanner.Align(node.Shape[0] * 4L, _context.StorageAlignment);
            _inputValues[node] = new int[node.Shape[0]];
        }
        foreach (var node in Graph.Outputs.Distinct())
        {
            if (node.Op is OpKind.KvWrite or OpKind.State or OpKind.Input) continue;
            _outputOffsets[node] = offset;
            offset += ArenaPlanner.Align(node.Shape.ElementCount * 4L, _context.StorageAlignment);
        }
        var io = _context.CreateBuffer(Math.Max(offset, 16), BufferPlace.Host, "step inputs and outputs");
        _owned.Add(io);
        foreach (var (node, at) in inputOffsets) _values[node] = new Slice(io, at, Math.Max(16, node.Shape[0] * 4L));
        return io;
    }

    private static bool InArena(Node node) => node.Op is not (OpKind.Input or OpKind.Weight or OpKind.Constant or OpKind.State or OpKind.KvWrite);

    private VulkanBuffer? PlanArena()
    {
        var nodes = Graph.Nodes;
        var lastUse = new Dictionary<Node, int>();
        for (int i = 0; i < nodes.Count; i++)
            foreach (var input in nodes[i].Inputs) lastUse[input] = i;
        foreach (var output in Graph.Outputs) lastUse[output] = nodes.Count;
        var planned = new List<Node>();
        var requests = new List<ArenaPlanner.Request>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (!InArena(node)) continue;
            long bytes = node.Shape.ElementCount * 4L;
            if (bytes > _device.ActivationBindingBytes && !SplitsByTokens(node, nodes))
                throw new HearthException($"graph node '{node.Name}': activation of {bytes} bytes exceeds the Vulkan device's storage-buffer range of {_device.ActivationBindingBytes} bytes (only MatMul inputs and outputs are split so far; use fewer tokens per step)");
            planned.Add(node);
            requests.Add(new ArenaPlanner.Request(i, lastUse.GetValueOrDefault(node, i), bytes));
        }
        // Split-K attention's partials live only while its node runs (after its inputs, beside its output).
        var scratch = new List<(Node Node, int Request)>();
        for (int i = 0; i < nodes.Count; i++)
        {
            long bytes = nodes[i].Op == OpKind.Attention ? PlanAttention(nodes[i]).ScratchBytes : 0;
            if (bytes == 0) continue;
            scratch.Add((nodes[i], requests.Count));
            requests.Add(new ArenaPlanner.Request(i, i, bytes));
        }
        var (offsets, size) = ArenaPlanner.Plan(requests, _context.StorageAlignment);
        CheckMemory(size);
        if (requests.Count == 0) return null;
        var arena = _context.CreateBuffer(size, BufferPlace.Device, $"activations ({planned.Count} values)");
        _owned.Add(arena);
        for (int i = 0; i < planned.Count; i++) _values[planned[i]] = new Slice(arena, offsets[i], Math.Max(16, requests[i].Bytes));
        foreach (var (node, request) in scratch) _attentionScratch[node] = new Slice(arena, offsets[request], requests[request].Bytes);
        return arena;
    }

    // A MatMul output read only by other MatMuls (or only copied out, like the logits) may exceed one binding: MatMul
    // binds its operands per token range.
    private static bool SplitsByTokens(Node node, IReadOnlyList<Node> nodes) =>
        node.Op == OpKind.MatMul && nodes.All(n => !n.Inputs.Contains(node) || n.Op == OpKind.MatMul && n.Inputs[0] == node);

    // Fails before any upload when the weights still to upload plus the arena cannot fit the device's memory heap,
    // saying how much is needed and how much there is (an allocation failure later says the same per buffer).
    private void CheckMemory(long arenaBytes)
    {
        long weights = 0;
        foreach (var node in Graph.Nodes.Where(n => n.Op == OpKind.Weight).Distinct())
            if (!_device.HasWeight(node.Weight!)) weights += node.Weight!.ByteLength;
        long needed = weights + arenaBytes;
        long free = _context.Info.DeviceLocalBytes - _context.AllocatedBytes;
        if (needed > free)
        {
            throw new HearthException(
                $"not enough memory on Vulkan device {_context.Index} ({_context.Info.Name}): this graph needs {Mib(needed)} more " +
                $"({Mib(weights)} of weights, {Mib(arenaBytes)} of activations) but only {Mib(Math.Max(0, free))} of {Mib(_context.Info.DeviceLocalBytes)} is free " +
                $"(Hearth holds {Mib(_context.AllocatedBytes)}); try a smaller or more quantized model, fewer tokens per step, or --device cpu");
        }
    }

    private static string Mib(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):F1} MiB");

    private Slice Value(Node node)
    {
        if (_values.TryGetValue(node, out var slice)) return slice;
        switch (node.Op)
        {
            case OpKind.Weight:
                var weight = _device.Weight(node.Weight!, asF32: true);
                slice = new Slice(weight.Chunks[0].Buffer, 0, weight.Chunks[0].Buffer.Size);
                break;
            case OpKind.Constant:
                var buffer = _context.CreateBuffer(node.Constant!.Length * 4L, BufferPlace.Device, $"constant {node.Name}");
                _owned.Add(buffer);
                buffer.Write(0, MemoryMarshal.AsBytes(node.Constant.AsSpan()));
                slice = new Slice(buffer, 0, buffer.Size);
                break;
            case OpKind.State or OpKind.KvWrite:
                var cache = VulkanSupport.CacheOf(node)!;
                slice = new Slice(cache.Buffer, 0, cache.Buffer.Size);
                break;
            default:
                throw new InvalidOperationException($"{node.Name}: no device value planned");
        }
        _values[node] = slice;
        return slice;
    }

    private void Add(string shader, Slice[] bindings, uint[] push, long flatGroups, uint z = 1, uint workGroup = ElementWorkGroup, params uint[] specialization)
    {
        if (flatGroups <= 0) return;
        uint maxX = Math.Min(_context.MaxWorkGroupCountX, 65535u);
        uint x = (uint)Math.Min(flatGroups, maxX);
        uint y = (uint)((flatGroups + x - 1) / x);
        var pipeline = _context.Pipeline(shader, bindings.Length, [workGroup, .. specialization]);
        _dispatches.Add(new Dispatch($"{_encoding?.Name} ({shader})", pipeline, bindings, push, x, y, z));
    }

    public void SetInput(Node input, ReadOnlySpan<int> values)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_inputValues.TryGetValue(input, out var copy))
            throw new HearthException($"'{input.Name}' is not an input of this graph");
        if (values.Length != copy.Length)
            throw new HearthException($"input '{input.Name}' takes {copy.Length} values, got {values.Length}");
        values.CopyTo(copy);
        values.CopyTo(new Span<int>(_io.Mapped + _values[input].Offset, values.Length));
    }

    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_device.IsDisposed) throw new ObjectDisposedException(nameof(VulkanDevice), "the Vulkan device this graph was compiled on was disposed");
        foreach (var (input, limit, what) in _inputChecks)
        {
            var values = _inputValues[input];
            for (int i = 0; i < values.Length; i++)
            {
                if ((uint)values[i] >= (uint)limit)
                    throw new HearthException($"input '{input.Name}': value {values[i]} at row {i} is outside [0, {limit}) ({what})");
            }
        }
        foreach (var check in _pagedChecks) CheckPaged(check.Node, _inputValues[check.Positions], _inputValues[check.Tables], check.Params, check.Blocks);
        // A step that timed out may still be running: its command buffer cannot be submitted again until it is done.
        if (_pending && !_context.WaitIdle(_fence, TimeSpan.Zero))
            throw new HearthException($"the previous step of this graph on Vulkan device {_context.Index} ({_context.Info.Name}) has still not finished; the device is hung");
        _pending = false;
        try
        {
            _context.SubmitAndWait(_commands, _fence, _device.StepTimeout);
        }
        catch (VulkanException e) when (e.IsTimeout)
        {
            _pending = true;
            throw;
        }
        ReadTimestamps();
    }

    // The block-table entries a query will read (its window's blocks) must name blocks of the cache; others may be anything.
    private static void CheckPaged(string node, int[] positions, int[] tables, AttentionParams p, int blocks)
    {
        for (int t = 0; t < positions.Length; t++)
        {
            int position = positions[t];
            if (position < 0)
                throw new HearthException($"graph node '{node}': negative position {position} at row {t}");
            if (position >= (long)p.MaxBlocksPerSeq * p.BlockSize)
                throw new HearthException($"graph node '{node}': position {position} at row {t} is past the block table's {p.MaxBlocksPerSeq} blocks of {p.BlockSize}");
            int first = p.SlidingWindow > 0 ? Math.Max(0, position - p.SlidingWindow + 1) : 0;
            for (int b = first / p.BlockSize; b <= position / p.BlockSize; b++)
            {
                int block = tables[t * p.MaxBlocksPerSeq + b];
                if (block < 0 || block >= blocks)
                    throw new HearthException($"graph node '{node}': block table entry {block} (row {t}, block {b}) is outside the cache's {blocks} blocks");
            }
        }
    }

    public void Read(Node node, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(node);
        ObjectDisposedException.ThrowIf(_disposed, this);
        long count = node.Shape.ElementCount;
        if (destination.Length < count)
            throw new HearthException($"'{node.Name}' has {count} values, the destination holds {destination.Length}");
        if (_outputOffsets.TryGetValue(node, out long offset))
        {
            new ReadOnlySpan<float>(_io.Mapped + offset, (int)count).CopyTo(destination);
            return;
        }
        if (VulkanSupport.CacheOf(node) is { } cache)
        {
            cache.ReadRows(0, cache.Capacity, destination);
            return;
        }
        throw new HearthException($"'{node.Name}' is not an output of this graph (the vulkan backend reads back only outputs; mark it with MarkOutput)");
    }

    /// <summary>After a timed-out step: waits up to <paramref name="timeout"/> for it; true once it has finished (or none was pending).</summary>
    internal bool WaitForPendingStep(TimeSpan timeout)
    {
        if (!_pending) return true;
        try
        {
            _pending = !_context.WaitIdle(_fence, timeout);
        }
        catch (VulkanException)
        {
            return false;  // device lost: the work will never report done
        }
        return !_pending;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Work still running on a hung device may touch all of these: leave them (a leak) rather than free them under it.
        if (_pending && !WaitForPendingStep(_device.StepTimeout)) return;
        _queries?.Dispose();
        _descriptorPool?.Dispose();
        _commandPool?.Dispose();
        _fence?.Dispose();
        foreach (var buffer in _owned) buffer.Dispose();
    }
}
