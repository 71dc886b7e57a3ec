using Hearth.Core;

namespace Hearth.Compute;

/// <summary>
/// One value in the graph. Every node has a name (e.g. "blk.3.attn_norm") so any intermediate
/// can be dumped and diffed against the reference implementation.
/// </summary>
public sealed class Node
{
    internal Node(int id, OpKind op, string name, Shape shape, TensorType type, IReadOnlyList<Node> inputs, OpParams? parameters)
    {
        Id = id;
        Op = op;
        Name = name;
        Shape = shape;
        Type = type;
        Inputs = inputs;
        Params = parameters;
    }

    public int Id { get; }
    public OpKind Op { get; }
    public string Name { get; }
    public Shape Shape { get; }
    /// <summary>Element type of the value: F32 for activations, I32 for ids/positions, storage type for weights, cache type for state.</summary>
    public TensorType Type { get; }
    public IReadOnlyList<Node> Inputs { get; }
    public OpParams? Params { get; }

    /// <summary>For <see cref="OpKind.Weight"/>: the host tensor (memory-mapped, storage type).</summary>
    public HostTensor? Weight { get; internal init; }
    /// <summary>For <see cref="OpKind.Constant"/>: the values.</summary>
    public float[]? Constant { get; internal init; }
    /// <summary>For <see cref="OpKind.State"/>: the device buffer that holds it.</summary>
    public IStateBuffer? State { get; internal init; }

    public T P<T>() where T : OpParams => Params as T ?? throw new InvalidOperationException($"{Name}: {Op} node has no {typeof(T).Name}");

    public override string ToString() => $"%{Id} {Name} = {Op}({string.Join(", ", Inputs.Select(i => "%" + i.Id))}) {TensorTypes.Info(Type).Name}{Shape}";
}
