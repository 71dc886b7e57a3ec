using System.Runtime.InteropServices;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Testing;

/// <summary>
/// One attention call over a KV cache filled with random rows: contiguous (one sequence, rows = positions) or paged
/// (block tables of shuffled blocks, several sequences in one step). <see cref="Run"/> fills the cache on a device with
/// a KvWrite, then attends for the given query rows, and returns y [T, heads * headDim].
/// </summary>
internal sealed class AttentionScenario
{
    public required AttentionParams Params { get; init; }
    public required TensorType CacheType { get; init; }

    /// <summary>Rows of the cache (a multiple of the block size when paged).</summary>
    public required int CacheRows { get; init; }

    public required int[] Positions { get; init; }

    /// <summary>[T * maxBlocks] when paged, else empty.</summary>
    public int[] Tables { get; init; } = [];

    public required float[] Keys { get; init; }    // [CacheRows, kvHeads * headDim]
    public required float[] Values { get; init; }  // [CacheRows, kvHeads * headDim]
    public required float[] Queries { get; init; } // [T, heads * headDim]

    public string Describe() => $"heads {Params.HeadCount}/{Params.KvHeadCount} dim {Params.HeadDim} window {Params.SlidingWindow} " +
        $"block {Params.BlockSize} {CacheType} T {Positions.Length} positions {string.Join(',', Positions.Take(4))}..";

    /// <summary>
    /// A random scenario. Paged (blockSize &gt; 0): <paramref name="sequences"/> sequences of length <paramref name="context"/>
    /// (shorter ones for s &gt; 0) in shuffled blocks; each query row belongs to sequence (row % sequences) and sits at
    /// its last positions (decode) or a run of positions (prefill, when rows exceed sequences); with
    /// <paramref name="grouped"/> a sequence's rows are adjacent instead (row t in sequence t / ceil(rows / sequences)).
    /// </summary>
    public static AttentionScenario Make(int seed, TensorType cacheType, int heads, int kvHeads, int headDim, int window, int blockSize,
        int context, int rows, int sequences = 1, bool grouped = false)
    {
        var random = new Random(seed);
        int kvWidth = kvHeads * headDim;
        int[] lengths = [.. Enumerable.Range(0, sequences).Select(s => context - s * 37 % Math.Max(1, context / 2))];
        var positions = new int[rows];
        int perSequence = (rows + sequences - 1) / sequences;
        for (int t = 0; t < rows; t++)
        {
            var (s, k) = grouped ? (t / perSequence, t % perSequence) : (t % sequences, t / sequences);
            positions[t] = Math.Max(0, lengths[s] - perSequence + k);  // a sequence's rows: the last ones, ascending
        }
        int cacheRows;
        int maxBlocks = 0;
        var tables = Array.Empty<int>();
        if (blockSize > 0)
        {
            maxBlocks = (context + blockSize - 1) / blockSize + 1;  // a spare entry: tables may be longer than needed
            int numBlocks = lengths.Sum(l => (l + blockSize - 1) / blockSize) + 3;
            var free = Enumerable.Range(0, numBlocks).OrderBy(_ => random.Next()).ToList();
            var sequenceTables = new int[sequences][];
            for (int s = 0; s < sequences; s++)
            {
                sequenceTables[s] = new int[maxBlocks];
                int used = (lengths[s] + blockSize - 1) / blockSize;
                for (int b = 0; b < maxBlocks; b++)
                {
                    if (b < used) { sequenceTables[s][b] = free[0]; free.RemoveAt(0); }
                    else sequenceTables[s][b] = random.Next(numBlocks);  // unused entries: any block
                }
            }
            tables = [.. Enumerable.Range(0, rows).SelectMany(t => sequenceTables[grouped ? t / perSequence : t % sequences])];
            cacheRows = numBlocks * blockSize;
        }
        else
        {
            if (sequences != 1) throw new ArgumentException("a contiguous cache holds one sequence");
            cacheRows = context + 5;
        }
        return new AttentionScenario
        {
            Params = new AttentionParams(0, heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), window, blockSize, maxBlocks),
            CacheType = cacheType,
            CacheRows = cacheRows,
            Positions = positions,
            Tables = tables,
            Keys = RandomFloats(random, cacheRows * kvWidth, 1),
            Values = RandomFloats(random, cacheRows * kvWidth, 1),
            Queries = RandomFloats(random, rows * heads * headDim, 2),
        };
    }

    private static float[] RandomFloats(Random random, int count, double range)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * range);
        return values;
    }

    private static HostTensor F32(string name, float[] values, int rows, int width)
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var pinned = GC.AllocateArray<byte>(Math.Max(bytes.Length, 1), pinned: true);
        bytes.CopyTo(pinned, 0);
        return new HostTensor(name, TensorType.F32, new Shape(rows, width), Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), bytes.Length, pinned);
    }

    /// <summary>Fills the caches, attends, returns y; <paramref name="inspect"/> sees the attention step's executable after it ran.</summary>
    public float[] Run(IComputeDevice device, Action<IExecutable>? inspect = null)
    {
        var p = Params;
        int kvWidth = p.KvHeadCount * p.HeadDim, tokens = Positions.Length, width = p.HeadCount * p.HeadDim;
        using var kCache = device.AllocateState("k_cache", CacheType, new Shape(CacheRows, kvWidth));
        using var vCache = device.AllocateState("v_cache", CacheType, new Shape(CacheRows, kvWidth));
        var g1 = new ComputeGraph();
        var slots = g1.Input("slots", CacheRows);
        g1.MarkOutput(g1.KvWrite("kw", g1.Weight(F32("k", Keys, CacheRows, kvWidth)), slots, g1.State("k_cache", kCache), 0));
        g1.MarkOutput(g1.KvWrite("vw", g1.Weight(F32("v", Values, CacheRows, kvWidth)), slots, g1.State("v_cache", vCache), 0));
        using (var exe1 = device.Compile(g1))
        {
            exe1.SetInput(slots, [.. Enumerable.Range(0, CacheRows)]);
            exe1.Run();
        }
        var g2 = new ComputeGraph();
        var positions = g2.Input("positions", tokens);
        var tables = p.IsPaged ? g2.Input("block_tables", Tables.Length) : null;
        var y = g2.Attention("attn", g2.Weight(F32("q", Queries, tokens, width)), positions, g2.State("k_cache", kCache), g2.State("v_cache", vCache), p, tables);
        g2.MarkOutput(y);
        using var exe2 = device.Compile(g2);
        exe2.SetInput(positions, Positions);
        if (tables is not null) exe2.SetInput(tables, Tables);
        exe2.Run();
        var result = new float[tokens * width];
        exe2.Read(y, result);
        inspect?.Invoke(exe2);
        return result;
    }
}
