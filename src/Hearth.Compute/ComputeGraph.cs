using Hearth.Core;

namespace Hearth.Compute;

/// <summary>
/// A graph of ops in topological order (nodes can only consume nodes created before them).
/// Built by a model's graph builder for one step shape (T tokens); shapes are checked as
/// nodes are added, so a malformed model fails at build time with the node's name.
/// </summary>
public sealed class ComputeGraph
{
    private readonly List<Node> _nodes = [];
    private readonly List<Node> _outputs = [];
    private readonly Dictionary<string, Node> _byName = new(StringComparer.Ordinal);

    public IReadOnlyList<Node> Nodes => _nodes;
    public IReadOnlyList<Node> Outputs => _outputs;

    public Node? Find(string name) => _byName.GetValueOrDefault(name);

    public void MarkOutput(Node node) => _outputs.Add(node);

    /// <summary>Stops reading <paramref name="node"/> back (e.g. a runner that reads a smaller node derived from it).</summary>
    public void UnmarkOutput(Node node) => _outputs.Remove(node);

    private Node Add(OpKind op, string name, Shape shape, TensorType type, Node[] inputs, OpParams? p = null,
        HostTensor? weight = null, float[]? constant = null, IStateBuffer? state = null)
    {
        if (_byName.ContainsKey(name)) throw new InvalidOperationException($"duplicate graph node name '{name}'");
        var node = new Node(_nodes.Count, op, name, shape, type, inputs, p) { Weight = weight, Constant = constant, State = state };
        _nodes.Add(node);
        _byName[name] = node;
        return node;
    }

    private static Exception Bad(string name, string problem) => new HearthException($"graph node '{name}': {problem}");

    public Node Input(string name, int length) => Add(OpKind.Input, name, new Shape(length), TensorType.I32, []);

    public Node Weight(HostTensor tensor, string? name = null) => Add(OpKind.Weight, name ?? tensor.Name, tensor.Shape, tensor.Type, [], weight: tensor);

    public Node Constant(string name, float[] values) => Add(OpKind.Constant, name, new Shape(values.Length), TensorType.F32, [], constant: values);

    public Node State(string name, IStateBuffer buffer) => Add(OpKind.State, name, buffer.Shape, buffer.Type, [], state: buffer);

    public Node Embedding(string name, Node table, Node ids)
    {
        if (table.Shape.Rank != 2) throw Bad(name, $"embedding table {table.Name} must be 2-D, is {table.Shape}");
        return Add(OpKind.Embedding, name, new Shape(ids.Shape[0], table.Shape[1]), TensorType.F32, [table, ids]);
    }

    public Node RmsNorm(string name, Node x, Node weight, float eps)
    {
        if (weight.Shape.ElementCount != x.Shape.Last) throw Bad(name, $"norm weight {weight.Name} {weight.Shape} does not match input width {x.Shape.Last}");
        return Add(OpKind.RmsNorm, name, x.Shape, TensorType.F32, [x, weight], new RmsNormParams(eps));
    }

    public Node MatMul(string name, Node x, Node w)
    {
        if (w.Shape.Rank != 2 || w.Shape[1] != x.Shape.Last)
            throw Bad(name, $"weight {w.Name} {w.Shape} cannot multiply input {x.Name} {x.Shape}: expected [out, {x.Shape.Last}]");
        return Add(OpKind.MatMul, name, new Shape(x.Shape[0], w.Shape[0]), TensorType.F32, [x, w]);
    }

    public Node Add(string name, Node a, Node b) => Binary(OpKind.Add, name, a, b);

    public Node Mul(string name, Node a, Node b) => Binary(OpKind.Mul, name, a, b);

    private Node Binary(OpKind op, string name, Node a, Node b)
    {
        bool same = a.Shape == b.Shape;
        bool broadcastRow = b.Shape.ElementCount == a.Shape.Last && (b.Shape.Rank == 1 || b.Shape[0] == 1);
        if (!same && !broadcastRow) throw Bad(name, $"cannot combine {a.Name} {a.Shape} with {b.Name} {b.Shape}");
        return Add(op, name, a.Shape, TensorType.F32, [a, b]);
    }

    public Node Scale(string name, Node x, float scale) => Add(OpKind.Scale, name, x.Shape, TensorType.F32, [x], new ScaleParams(scale));

    public Node SiluMul(string name, Node gate, Node up)
    {
        if (gate.Shape != up.Shape) throw Bad(name, $"gate {gate.Shape} and up {up.Shape} differ");
        return Add(OpKind.SiluMul, name, gate.Shape, TensorType.F32, [gate, up]);
    }

    public Node Rope(string name, Node x, Node positions, Node invFreq, RopeParams p)
    {
        if (x.Shape.Last != p.HeadCount * p.HeadDim) throw Bad(name, $"width {x.Shape.Last} is not {p.HeadCount} heads x {p.HeadDim}");
        if (invFreq.Shape.ElementCount != p.HeadDim / 2) throw Bad(name, $"invFreq has {invFreq.Shape.ElementCount} values, expected {p.HeadDim / 2}");
        return Add(OpKind.Rope, name, x.Shape, TensorType.F32, [x, positions, invFreq], p);
    }

    /// <summary>Writes src[t] to cache row slots[t] (the position itself for one contiguous sequence).</summary>
    public Node KvWrite(string name, Node src, Node slots, Node cache, int layer)
    {
        if (cache.Op != OpKind.State) throw Bad(name, "KV cache operand must be a State node");
        if (src.Shape.Last != cache.Shape.Last) throw Bad(name, $"row width {src.Shape.Last} does not match cache {cache.Shape}");
        if (slots.Shape.Rank != 1 || slots.Shape[0] != src.Shape[0]) throw Bad(name, $"slots {slots.Shape} must hold one row index per source row ({src.Shape[0]})");
        return Add(OpKind.KvWrite, name, cache.Shape, cache.Type, [src, slots, cache], new KvWriteParams(layer));
    }

    /// <summary>Causal attention over the cache; <paramref name="blockTables"/> (I32 [T * p.MaxBlocksPerSeq]) is required
    /// exactly when <paramref name="p"/> is paged (BlockSize &gt; 0). See <see cref="OpKind.Attention"/>.</summary>
    public Node Attention(string name, Node q, Node positions, Node kCache, Node vCache, AttentionParams p, Node? blockTables = null)
    {
        if (q.Shape.Last != p.HeadCount * p.HeadDim) throw Bad(name, $"query width {q.Shape.Last} is not {p.HeadCount} heads x {p.HeadDim}");
        if (p.KvHeadCount <= 0 || p.HeadCount % p.KvHeadCount != 0) throw Bad(name, $"{p.HeadCount} heads cannot share {p.KvHeadCount} KV heads");
        if (kCache.Shape.Last != p.KvHeadCount * p.HeadDim || vCache.Shape.Last != p.KvHeadCount * p.HeadDim)
            throw Bad(name, $"cache width must be {p.KvHeadCount} x {p.HeadDim}");
        if (p.BlockSize < 0) throw Bad(name, $"block size must not be negative, is {p.BlockSize}");
        if (!p.IsPaged)
        {
            if (blockTables is not null) throw Bad(name, "a block table needs a positive block size");
            return Add(OpKind.Attention, name, q.Shape, TensorType.F32, [q, positions, kCache, vCache], p);
        }
        if (blockTables is null) throw Bad(name, $"paged attention (block size {p.BlockSize}) needs a block table input");
        if (p.MaxBlocksPerSeq <= 0) throw Bad(name, $"paged attention needs a positive number of blocks per sequence, is {p.MaxBlocksPerSeq}");
        long expected = (long)q.Shape[0] * p.MaxBlocksPerSeq;
        if (blockTables.Shape.Rank != 1 || blockTables.Shape[0] != expected)
            throw Bad(name, $"block table {blockTables.Name} {blockTables.Shape} must hold {q.Shape[0]} tokens x {p.MaxBlocksPerSeq} blocks");
        return Add(OpKind.Attention, name, q.Shape, TensorType.F32, [q, positions, kCache, vCache, blockTables], p);
    }

    /// <summary>x [T, n], rows I32 [R] -> [R, n]: the rows of x at the given indices.</summary>
    public Node GatherRows(string name, Node x, Node rows)
    {
        if (x.Shape.Rank != 2) throw Bad(name, $"input {x.Name} must be 2-D, is {x.Shape}");
        if (rows.Shape.Rank != 1 || rows.Shape[0] <= 0) throw Bad(name, $"row indices {rows.Name} must be a non-empty vector, are {rows.Shape}");
        return Add(OpKind.GatherRows, name, new Shape(rows.Shape[0], x.Shape.Last), TensorType.F32, [x, rows]);
    }

    public Node TopK(string name, Node x, int k)
    {
        if (x.Shape.Rank != 2) throw Bad(name, $"input {x.Name} must be 2-D [rows, n], is {x.Shape}");
        int n = x.Shape[1];
        if (k < 1 || k > TopKParams.MaxK || k > n) throw Bad(name, $"k must be in [1, min({TopKParams.MaxK}, {n})] (got {k})");
        if (n >= 1 << 24) throw Bad(name, $"rows of {n} values are too long: indices are returned as exact floats (below 2^24)");
        return Add(OpKind.TopK, name, new Shape(x.Shape[0], 2 * k + 2), TensorType.F32, [x], new TopKParams(k));
    }

    public Node TakeLastRows(string name, Node x, int count)
    {
        if (count <= 0 || count > x.Shape[0]) throw Bad(name, $"cannot take {count} rows of {x.Shape}");
        return Add(OpKind.TakeLastRows, name, new Shape(count, x.Shape.Last), TensorType.F32, [x], new TakeLastRowsParams(count));
    }

    public override string ToString() => string.Join('\n', _nodes);
}
