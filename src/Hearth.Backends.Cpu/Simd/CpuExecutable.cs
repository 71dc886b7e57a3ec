using Hearth.Backends.Cpu.Reference;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Simd.Ops;
using Hearth.Backends.Cpu.Threading;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Cpu.Simd;

/// <summary>
/// A graph compiled for the fast CPU device. Static memory plan: every activation gets a pinned buffer at
/// compile time, and a buffer whose value is dead (all consumers ran, not a graph output) is handed to a later
/// node, so a step allocates nothing. Graph outputs are always kept; other intermediates can be read only while
/// their buffer was not reused (otherwise <see cref="Read"/> says so).
/// </summary>
internal sealed unsafe class CpuExecutable : IExecutable
{
    private readonly Node[] _nodes;
    private readonly Pinned<float>?[] _values;  // by node id
    private readonly Pinned<int>?[] _inputs;    // by node id
    private readonly bool[] _inputSet;
    private readonly bool[] _readable;          // by node id: the buffer still holds this node's value after a run
    private readonly Step[] _steps;
    private readonly AttentionScratch _attentionScratch = new();

    public CpuExecutable(ComputeGraph graph, CpuThreadPool pool)
    {
        Graph = graph;
        _nodes = [.. graph.Nodes];
        int n = _nodes.Length;
        _values = new Pinned<float>?[n];
        _inputs = new Pinned<int>?[n];
        _inputSet = new bool[n];
        _readable = new bool[n];

        var lastUse = new int[n];
        for (int i = 0; i < n; i++) lastUse[i] = i;
        foreach (var node in _nodes)
            foreach (var input in node.Inputs) lastUse[input.Id] = Math.Max(lastUse[input.Id], node.Id);
        foreach (var output in graph.Outputs) lastUse[output.Id] = int.MaxValue;

        long maxActivation = 1;
        foreach (var node in _nodes)
            if (node.Op == OpKind.MatMul) maxActivation = Math.Max(maxActivation, node.Inputs[0].Shape.ElementCount);
        var activations = new QuantizedActivations(maxActivation);

        var asActivation = GraphQueries.WeightsReadAsActivations(_nodes);
        var free = new List<Pinned<float>>();
        var lastOwner = new Dictionary<Pinned<float>, int>();
        var steps = new List<Step>();
        foreach (var node in _nodes)
        {
            bool planned = false;
            switch (node.Op)
            {
                case OpKind.Input:
                    _inputs[node.Id] = new Pinned<int>(node.Shape[0]);
                    break;
                case OpKind.Constant:
                    _values[node.Id] = new Pinned<float>(node.Constant!.Length);
                    node.Constant.CopyTo(_values[node.Id]!.Span);
                    break;
                case OpKind.Weight:
                    if (asActivation.Contains(node)) _values[node.Id] = DequantizeWhole(node);
                    break;
                case OpKind.State:
                case OpKind.KvWrite:
                    break;
                default:
                    _values[node.Id] = Take(free, node.Shape.ElementCount);
                    lastOwner[_values[node.Id]!] = node.Id;
                    planned = true;
                    break;
            }
            var step = CreateStep(node, pool, activations);
            if (step is not null) steps.Add(step);
            // Release buffers whose last consumer is this node (inputs of ops, and unused results of this node).
            foreach (var input in node.Inputs) Release(input);
            if (planned) Release(node);

            void Release(Node value)
            {
                if (lastUse[value.Id] != node.Id || !IsPlanned(value.Op) || _values[value.Id] is not { } buffer) return;
                if (!free.Contains(buffer)) free.Add(buffer);
            }
        }
        foreach (var (buffer, owner) in lastOwner) _readable[owner] = true;
        _steps = GroupProducts(steps, pool);
    }

    // Runs of consecutive products of one input (Q, K, V; gate, up) become one step: one quantization, one dispatch.
    // Only adjacent steps merge, so the execution order, and with it the memory plan, is unchanged.
    private static Step[] GroupProducts(List<Step> steps, CpuThreadPool pool)
    {
        var result = new List<Step>(steps.Count);
        for (int i = 0; i < steps.Count;)
        {
            int j = i + 1;
            if (steps[i] is MatMulStep first)
                while (j < steps.Count && steps[j] is MatMulStep next && MatMulGroupStep.CanJoin(first, next)) j++;
            if (j - i > 1) result.Add(new MatMulGroupStep([.. steps.GetRange(i, j - i).Cast<MatMulStep>()], pool));
            else result.Add(steps[i]);
            i = j;
        }
        return [.. result];
    }

    public ComputeGraph Graph { get; }

    public void SetInput(Node input, ReadOnlySpan<int> values)
    {
        var node = Own(input);
        if (node.Op != OpKind.Input) throw new HearthException($"graph node '{node.Name}' is a {node.Op}, not an input");
        var slot = _inputs[node.Id]!;
        if (values.Length != slot.Length)
            throw new HearthException($"input '{node.Name}' takes {slot.Length} values, got {values.Length}");
        values.CopyTo(slot.Span);
        _inputSet[node.Id] = true;
    }

    public void Run()
    {
        foreach (var node in _nodes)
        {
            if (node.Op == OpKind.Input && !_inputSet[node.Id])
                throw new HearthException($"input '{node.Name}' was not set before running the graph");
        }
        if (StepProfile.Enabled)
            foreach (var step in _steps) StepProfile.Run(step);
        else
            foreach (var step in _steps) step.Run();
    }

    public void Read(Node node, Span<float> destination)
    {
        var own = Own(node);
        long count = own.Shape.ElementCount;
        if (destination.Length != count)
            throw new HearthException($"reading graph node '{own.Name}' {own.Shape}: destination holds {destination.Length} floats, expected {count}");
        switch (own.Op)
        {
            case OpKind.Input:
                var ids = _inputs[own.Id]!.Span;
                for (int i = 0; i < ids.Length; i++) destination[i] = ids[i];
                break;
            case OpKind.State:
            case OpKind.KvWrite:
                var cache = CpuDevice.CacheOf(own)!;
                cache.ReadRows(0, cache.Capacity, destination);
                break;
            case OpKind.Weight when _values[own.Id] is null:
                DequantizeWhole(own).Span.CopyTo(destination);
                break;
            case OpKind.Constant:
            case OpKind.Weight:
                _values[own.Id]!.Span[..(int)count].CopyTo(destination);
                break;
            default:
                if (!_readable[own.Id])
                    throw new HearthException($"graph node '{own.Name}' is an intermediate whose buffer the cpu backend reuses; mark it as a graph output to read it");
                // Planned buffers may be larger than the node (shared by liveness): copy the node's part.
                _values[own.Id]!.Span[..(int)count].CopyTo(destination);
                break;
        }
    }

    public void Dispose()
    {
        // Pinned managed arrays only; the pool belongs to the device.
    }

    private static bool IsPlanned(OpKind op) => op is not (OpKind.Input or OpKind.Weight or OpKind.Constant or OpKind.State or OpKind.KvWrite);

    // The smallest free buffer that fits, else a new one.
    private static Pinned<float> Take(List<Pinned<float>> free, long elements)
    {
        int best = -1;
        for (int i = 0; i < free.Count; i++)
        {
            if (free[i].Length >= elements && (best < 0 || free[i].Length < free[best].Length)) best = i;
        }
        if (best < 0) return new Pinned<float>(elements);
        var buffer = free[best];
        free.RemoveAt(best);
        return buffer;
    }

    private float* F32(Node node) => _values[node.Id]!.Pointer;

    private int* Ids(Node node) => _inputs[node.Id]!.Pointer;

    private Step? CreateStep(Node node, CpuThreadPool pool, QuantizedActivations activations)
    {
        var inputs = node.Inputs;
        int tokens = node.Shape.Rank == 0 ? 0 : node.Shape[0];
        switch (node.Op)
        {
            case OpKind.Embedding:
                var table = inputs[0].Weight!;
                return new EmbeddingStep(node.Name, (byte*)table.Data, table.Type, table.Shape[0], table.Shape[1], Ids(inputs[1]), inputs[1].Shape[0], F32(node));
            case OpKind.RmsNorm:
                int width = node.Shape.Last;
                return new RmsNormStep(F32(inputs[0]), F32(inputs[1]), ReferenceSupport.Rows(inputs[0]), width, node.P<RmsNormParams>().Eps, F32(node));
            case OpKind.MatMul:
                var w = inputs[1];
                bool isWeight = w.Op == OpKind.Weight;
                byte* weight = isWeight ? (byte*)w.Weight!.Data : (byte*)F32(w);
                var type = isWeight ? w.Weight!.Type : TensorType.F32;
                var interleaved = isWeight ? InterleavedWeights.For(w.Weight!, pool) : null;
                var panels = isWeight && interleaved is null ? PanelWeights.For(w.Weight!, pool) : null;
                return new MatMulStep(F32(inputs[0]), weight, type, inputs[0].Shape[0], w.Shape[1], w.Shape[0], F32(node), activations, pool,
                    interleaved, panels);
            case OpKind.Add:
            case OpKind.Mul:
                return new BinaryStep(F32(inputs[0]), F32(inputs[1]), (int)node.Shape.ElementCount, (int)inputs[1].Shape.ElementCount,
                    node.Op == OpKind.Mul, F32(node));
            case OpKind.Scale:
                return new ScaleStep(F32(inputs[0]), (int)node.Shape.ElementCount, node.P<ScaleParams>().Scale, F32(node));
            case OpKind.SiluMul:
                return new SiluMulStep(F32(inputs[0]), F32(inputs[1]), (int)node.Shape.ElementCount, F32(node));
            case OpKind.Rope:
                return new RopeStep(F32(inputs[0]), Ids(inputs[1]), F32(inputs[2]), inputs[1].Shape[0], node.P<RopeParams>(), F32(node));
            case OpKind.KvWrite:
                return new KvWriteStep(node.Name, F32(inputs[0]), Ids(inputs[1]), inputs[1].Shape[0], CpuDevice.CacheOf(inputs[2])!);
            case OpKind.Attention:
                return new AttentionStep(node.Name, F32(inputs[0]), Ids(inputs[1]), inputs.Count > 4 ? Ids(inputs[4]) : null, inputs[1].Shape[0], CpuDevice.CacheOf(inputs[2])!,
                    CpuDevice.CacheOf(inputs[3])!, node.P<AttentionParams>(), F32(node), pool, _attentionScratch);
            case OpKind.TakeLastRows:
                return new TakeLastRowsStep(F32(inputs[0]), (int)inputs[0].Shape.ElementCount, (int)node.Shape.ElementCount, F32(node));
            case OpKind.TopK:
                return new TopKStep(F32(inputs[0]), ReferenceSupport.Rows(inputs[0]), inputs[0].Shape.Last, node.P<TopKParams>().K, F32(node));
            case OpKind.GatherRows:
                return new GatherRowsStep(node.Name, F32(inputs[0]), ReferenceSupport.Rows(inputs[0]), node.Shape.Last, Ids(inputs[1]), node.Shape[0], F32(node));
            default:
                _ = tokens;
                return null;
        }
    }

    private Node Own(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Id >= _nodes.Length || !ReferenceEquals(_nodes[node.Id], node))
            throw new HearthException($"graph node '{node.Name}' is not part of this compiled graph");
        return node;
    }

    // weight [rows, width] (storage type) -> pinned F32
    private static Pinned<float> DequantizeWhole(Node weight)
    {
        var tensor = weight.Weight!;
        int width = tensor.Shape.Last;
        int rows = (int)(tensor.Shape.ElementCount / width);
        var values = new Pinned<float>(tensor.Shape.ElementCount);
        for (int r = 0; r < rows; r++) Dequant.Row(tensor.Type, tensor.RowBytes(r), values.Span.Slice(r * width, width));
        return values;
    }
}
