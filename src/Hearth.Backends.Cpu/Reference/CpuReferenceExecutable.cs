using Hearth.Backends.Cpu.Reference.Ops;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference;

/// <summary>
/// A graph compiled for the reference device: one float[] per F32 node, all kept after a run so
/// <see cref="Read"/> works for any node (layers can be dumped and diffed). Nodes run in graph order.
/// </summary>
internal sealed class CpuReferenceExecutable : IExecutable
{
    private readonly Node[] _nodes;        // the graph's nodes at compile time, in order (index = node id)
    private readonly float[]?[] _values;   // by node id: F32 value of every activation, constant and weight consumed as an activation
    private readonly int[]?[] _inputs;     // by node id: I32 values of Input nodes
    private readonly bool[] _inputSet;     // by node id: SetInput was called at least once

    public CpuReferenceExecutable(ComputeGraph graph)
    {
        Graph = graph;
        _nodes = [.. graph.Nodes];
        _values = new float[]?[_nodes.Length];
        _inputs = new int[]?[_nodes.Length];
        _inputSet = new bool[_nodes.Length];

        var weightsAsActivations = GraphQueries.WeightsReadAsActivations(_nodes);
        foreach (var node in _nodes)
        {
            switch (node.Op)
            {
                case OpKind.Input:
                    _inputs[node.Id] = new int[node.Shape[0]];
                    break;
                case OpKind.Constant:
                    _values[node.Id] = node.Constant!;
                    break;
                case OpKind.Weight:
                    if (weightsAsActivations.Contains(node)) _values[node.Id] = DequantizeWhole(node);
                    break;
                case OpKind.State:
                case OpKind.KvWrite:
                    break;  // the value lives in the state buffer
                default:
                    _values[node.Id] = new float[node.Shape.ElementCount];
                    break;
            }
        }
    }

    public ComputeGraph Graph { get; }

    public void SetInput(Node input, ReadOnlySpan<int> values)
    {
        var node = Own(input);
        if (node.Op != OpKind.Input) throw new HearthException($"graph node '{node.Name}' is a {node.Op}, not an input");
        var slot = _inputs[node.Id]!;
        if (values.Length != slot.Length)
            throw new HearthException($"input '{node.Name}' takes {slot.Length} values, got {values.Length}");
        values.CopyTo(slot);
        _inputSet[node.Id] = true;
    }

    public void Run()
    {
        foreach (var node in _nodes)
        {
            if (node.Op == OpKind.Input && !_inputSet[node.Id])
                throw new HearthException($"input '{node.Name}' was not set before running the graph");
        }
        foreach (var node in _nodes) Execute(node);
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
                var ids = _inputs[own.Id]!;
                for (int i = 0; i < ids.Length; i++) destination[i] = ids[i];
                break;
            case OpKind.State:
            case OpKind.KvWrite:
                var cache = ReferenceSupport.CacheOf(own)!;
                cache.ReadRows(0, cache.Capacity, destination);
                break;
            case OpKind.Weight when _values[own.Id] is null:
                DequantizeWhole(own).CopyTo(destination);
                break;
            default:
                _values[own.Id]!.CopyTo(destination);
                break;
        }
    }

    public void Dispose()
    {
        // Managed arrays only; nothing to release.
    }

    private void Execute(Node node)
    {
        var inputs = node.Inputs;
        switch (node.Op)
        {
            case OpKind.Input:
            case OpKind.Weight:
            case OpKind.Constant:
            case OpKind.State:
                break;  // values are already in place
            case OpKind.Embedding:
                EmbeddingOp.Run(node.Name, new WeightRows(inputs[0].Weight!), inputs[0].Shape[0], Ids(inputs[1]), Out(node));
                break;
            case OpKind.RmsNorm:
                RmsNormOp.Run(F32(inputs[0]), F32(inputs[1]), node.P<RmsNormParams>().Eps, Out(node));
                break;
            case OpKind.MatMul:
                var w = inputs[1];
                var rows = w.Op == OpKind.Weight ? new WeightRows(w.Weight!) : new WeightRows(F32(w), w.Shape.Last);
                MatMulOp.Run(F32(inputs[0]), rows, w.Shape[0], Out(node));
                break;
            case OpKind.Add:
                AddOp.Run(F32(inputs[0]), F32(inputs[1]), Out(node));
                break;
            case OpKind.Mul:
                MulOp.Run(F32(inputs[0]), F32(inputs[1]), Out(node));
                break;
            case OpKind.Scale:
                ScaleOp.Run(F32(inputs[0]), node.P<ScaleParams>().Scale, Out(node));
                break;
            case OpKind.SiluMul:
                SiluMulOp.Run(F32(inputs[0]), F32(inputs[1]), Out(node));
                break;
            case OpKind.Rope:
                RopeOp.Run(F32(inputs[0]), Ids(inputs[1]), F32(inputs[2]), node.P<RopeParams>(), Out(node));
                break;
            case OpKind.KvWrite:
                KvWriteOp.Run(node.Name, F32(inputs[0]), Ids(inputs[1]), ReferenceSupport.CacheOf(inputs[2])!);
                break;
            case OpKind.Attention:
                AttentionOp.Run(node.Name, F32(inputs[0]), Ids(inputs[1]), ReferenceSupport.CacheOf(inputs[2])!, ReferenceSupport.CacheOf(inputs[3])!,
                    inputs.Count > 4 ? Ids(inputs[4]) : [], node.P<AttentionParams>(), Out(node));
                break;
            case OpKind.TakeLastRows:
                TakeLastRowsOp.Run(F32(inputs[0]), node.P<TakeLastRowsParams>().Count, node.Shape.Last, Out(node));
                break;
            case OpKind.GatherRows:
                GatherRowsOp.Run(node.Name, F32(inputs[0]), Ids(inputs[1]), node.Shape.Last, Out(node));
                break;
            case OpKind.TopK:
                TopKOp.Run(F32(inputs[0]), ReferenceSupport.Rows(inputs[0]), inputs[0].Shape.Last, node.P<TopKParams>().K, Out(node));
                break;
            default:
                throw new HearthException($"graph node '{node.Name}': op {node.Op} is unknown to cpu-ref");
        }
    }

    private float[] F32(Node node) => _values[node.Id]!;

    private float[] Out(Node node) => _values[node.Id]!;

    private int[] Ids(Node node) => _inputs[node.Id]!;

    /// <summary>The node with this id in the compiled graph; rejects nodes of other graphs.</summary>
    private Node Own(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Id >= _nodes.Length || !ReferenceEquals(_nodes[node.Id], node))
            throw new HearthException($"graph node '{node.Name}' is not part of this compiled graph");
        return node;
    }

    // weight [rows, width] (storage type) -> [rows * width] F32
    private static float[] DequantizeWhole(Node weight)
    {
        var rows = new WeightRows(weight.Weight!);
        int rowCount = ReferenceSupport.Rows(weight);
        var values = new float[weight.Shape.ElementCount];
        for (int r = 0; r < rowCount; r++) rows.DequantizeRow(r, values.AsSpan(r * rows.Width, rows.Width));
        return values;
    }
}
