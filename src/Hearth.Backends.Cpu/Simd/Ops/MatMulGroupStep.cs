using Hearth.Backends.Cpu.Threading;

namespace Hearth.Backends.Cpu.Simd.Ops;

/// <summary>
/// Consecutive products of one input (a layer's Q, K and V projections; its gate and up projections) run as one step:
/// the input is quantized once and one pool dispatch covers every member's work items, so the cores also balance
/// across the members instead of meeting at a barrier after each. Each output is computed by exactly the member's
/// own kernel on its own rows, so results are bit for bit those of the separate steps.
/// </summary>
internal sealed unsafe class MatMulGroupStep : Step, IParallelWork
{
    private readonly MatMulStep[] _members;
    private readonly int[] _starts;  // first item of each member in the combined range; _starts[^1] = total
    private readonly CpuThreadPool _pool;
    private readonly bool _sums16;
    private readonly int _chunk;

    public MatMulGroupStep(IReadOnlyList<MatMulStep> members, CpuThreadPool pool)
    {
        if (members.Count < 2 || !members.All(m => CanJoin(members[0], m)))
            throw new ArgumentException("a product group needs two or more products of one input with the same activation blocks", nameof(members));
        _members = [.. members];
        _pool = pool;
        _starts = new int[_members.Length + 1];
        for (int i = 0; i < _members.Length; i++) _starts[i + 1] = _starts[i] + _members[i].Items;
        _sums16 = _members.Any(m => m.NeedsSums16);
        // The members' own chunking over the combined range (a small member's fine chunks would multiply the claims).
        // Whole decode tiles (MatMulStep.TileItems): the members' item counts are multiples of theirs in the usual shapes.
        _chunk = MatMulStep.RoundUp((int)Math.Max(1, (long)_members.Max(m => m.Chunk) * _starts[^1] / _members.Max(m => m.Items)),
            _members.Max(m => m.TileItems));
    }

    /// <summary>Whether <paramref name="next"/> reads the same activations as <paramref name="first"/> (same buffer, shape and blocks).</summary>
    public static bool CanJoin(MatMulStep first, MatMulStep next) =>
        first.X == next.X && first.Tokens == next.Tokens && first.InFeatures == next.InFeatures && first.Block == next.Block;

    public override string Label => $"MatMul group of {_members.Length}: " + string.Join(" + ", _members.Select(m => m.Label));

    public override void Run()
    {
        _members[0].QuantizeInput(_sums16);
        _pool.Run(this, _starts[^1], _chunk);
    }

    public void Execute(int start, int end, int worker)
    {
        for (int i = 0; i < _members.Length && start < end; i++)
        {
            if (start >= _starts[i + 1]) continue;
            int last = Math.Min(end, _starts[i + 1]);
            _members[i].Execute(start - _starts[i], last - _starts[i], worker);
            start = last;
        }
    }
}
