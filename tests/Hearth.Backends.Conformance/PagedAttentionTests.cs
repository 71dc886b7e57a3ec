using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Conformance;

/// <summary>
/// Paged KV cache: KvWrite to slots and attention through shuffled block tables, several sequences of different
/// lengths in one step, block sizes 1, 16 and odd ones, sliding windows, GQA, F32 and F16 caches. Every backend
/// against cpu-ref (same tolerance as the other ops), and cpu-ref paged against cpu-ref contiguous (one sequence
/// per cache, rows = positions), which must agree bit for bit: the table only changes where rows live.
/// </summary>
public class PagedAttentionTests
{
    private const double Tolerance = 1e-5;
    private const int HeadDim = 12;

    public static TheoryData<string, TensorType, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, TensorType, int, int, int, int>();
        foreach (var backend in Backends.UnderTest().Append(Backends.Oracle))
        {
            foreach (var cacheType in new[] { TensorType.F32, TensorType.F16 })
            {
                // (blockSize, heads, kvHeads, window)
                data.Add(backend, cacheType, 1, 4, 4, 0);
                data.Add(backend, cacheType, 16, 4, 2, 0);
                data.Add(backend, cacheType, 5, 6, 2, 0);
                data.Add(backend, cacheType, 3, 4, 1, 7);
                data.Add(backend, cacheType, 16, 2, 2, 20);
            }
        }
        return data;
    }

    /// <summary>Sequences and their queries: lengths in the cache, and per query (sequence, position).</summary>
    private sealed record Layout(int[] Lengths, (int Sequence, int Position)[] Queries, int BlockSize, int MaxBlocks, int[][] Tables, int NumBlocks);

    private static Layout MakeLayout(Random random, int blockSize)
    {
        int[] lengths = [1, 23, 40, 9, 17];
        int maxBlocks = (lengths.Max() + blockSize - 1) / blockSize + 1;  // one spare entry: tables may be longer than needed
        int needed = lengths.Sum(l => (l + blockSize - 1) / blockSize);
        int numBlocks = needed + 3;
        var free = Enumerable.Range(0, numBlocks).OrderBy(_ => random.Next()).ToList();
        var tables = new int[lengths.Length][];
        for (int s = 0; s < lengths.Length; s++)
        {
            tables[s] = new int[maxBlocks];
            int blocks = (lengths[s] + blockSize - 1) / blockSize;
            for (int b = 0; b < blocks; b++) { tables[s][b] = free[0]; free.RemoveAt(0); }
            for (int b = blocks; b < maxBlocks; b++) tables[s][b] = random.Next(numBlocks);  // unused entries: any valid block
        }
        // Decode-like queries (last position) and prefill-like runs, interleaved across sequences.
        var queries = new List<(int, int)>();
        for (int s = 0; s < lengths.Length; s++) queries.Add((s, lengths[s] - 1));
        for (int p = 0; p < 6 && p < lengths[2]; p++) queries.Add((2, p * 7 % lengths[2]));
        queries.Add((1, 0));
        queries.Add((3, 4));
        return new Layout(lengths, [.. queries.OrderBy(_ => random.Next())], blockSize, maxBlocks, tables, numBlocks);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Paged_attention_matches_reference_and_contiguous(string backend, TensorType cacheType, int blockSize, int heads, int kvHeads, int window)
    {
        var random = new Random(blockSize * 1000 + heads * 100 + kvHeads * 10 + window);
        var layout = MakeLayout(random, blockSize);
        int kvWidth = kvHeads * HeadDim;
        var p = new AttentionParams(0, heads, kvHeads, HeadDim, 1f / MathF.Sqrt(HeadDim), window, blockSize, layout.MaxBlocks);
        var keys = layout.Lengths.Select(l => Weights.RandomFloats(random, l * kvWidth)).ToArray();
        var values = layout.Lengths.Select(l => Weights.RandomFloats(random, l * kvWidth)).ToArray();
        var q = Weights.RandomFloats(random, layout.Queries.Length * heads * HeadDim, 2);

        var paged = RunPaged(backend, cacheType, layout, p, keys, values, q);
        if (backend != Backends.Oracle)
        {
            Compare.Close(RunPaged(Backends.Oracle, cacheType, layout, p, keys, values, q), paged, Tolerance,
                $"{backend} paged attention block {blockSize} {heads}/{kvHeads} window {window} {cacheType}");
            return;
        }
        // The oracle paged equals the oracle contiguous, bit for bit, query by query.
        int width = heads * HeadDim;
        for (int i = 0; i < layout.Queries.Length; i++)
        {
            var (s, position) = layout.Queries[i];
            var expected = RunContiguous(cacheType, layout.Lengths[s], position, p with { BlockSize = 0, MaxBlocksPerSeq = 0 },
                keys[s], values[s], q.AsSpan(i * width, width).ToArray());
            Assert.Equal(expected, paged.AsSpan(i * width, width).ToArray());
        }
    }

    private static float[] RunPaged(string backend, TensorType cacheType, Layout layout, AttentionParams p, float[][] keys, float[][] values, float[] q)
    {
        int kvWidth = p.KvHeadCount * p.HeadDim, rows = layout.NumBlocks * layout.BlockSize;
        using var device = Backends.Create(backend);
        using var kCache = device.AllocateState("k_cache", cacheType, new Shape(rows, kvWidth));
        using var vCache = device.AllocateState("v_cache", cacheType, new Shape(rows, kvWidth));
        // Step 1 writes every sequence's rows to the slots its table gives.
        int total = layout.Lengths.Sum();
        var slots = new List<int>();
        for (int s = 0; s < layout.Lengths.Length; s++)
            for (int j = 0; j < layout.Lengths[s]; j++) slots.Add(layout.Tables[s][j / layout.BlockSize] * layout.BlockSize + j % layout.BlockSize);
        var g1 = new ComputeGraph();
        var slotInput = g1.Input("kv_slots", total);
        var kw = g1.KvWrite("kw", g1.Weight(Weights.F32("k", [.. keys.SelectMany(k => k)], total, kvWidth)), slotInput, g1.State("k_cache", kCache), 0);
        var vw = g1.KvWrite("vw", g1.Weight(Weights.F32("v", [.. values.SelectMany(v => v)], total, kvWidth)), slotInput, g1.State("v_cache", vCache), 0);
        g1.MarkOutput(kw);
        g1.MarkOutput(vw);
        using (var exe1 = device.Compile(g1))
        {
            exe1.SetInput(slotInput, [.. slots]);
            exe1.Run();
        }
        // Step 2: the queries of all sequences in one attention.
        int tokens = layout.Queries.Length, width = p.HeadCount * p.HeadDim;
        var g2 = new ComputeGraph();
        var positions = g2.Input("positions", tokens);
        var tables = g2.Input("block_tables", tokens * layout.MaxBlocks);
        var y = g2.Attention("y", g2.Weight(Weights.F32("q", q, tokens, width)), positions, g2.State("k_cache", kCache), g2.State("v_cache", vCache), p, tables);
        g2.MarkOutput(y);
        using var exe2 = device.Compile(g2);
        exe2.SetInput(positions, [.. layout.Queries.Select(x => x.Position)]);
        exe2.SetInput(tables, [.. layout.Queries.SelectMany(x => layout.Tables[x.Sequence])]);
        exe2.Run();
        var result = new float[tokens * width];
        exe2.Read(y, result);
        return result;
    }

    private static float[] RunContiguous(TensorType cacheType, int length, int position, AttentionParams p, float[] keys, float[] values, float[] q)
    {
        int kvWidth = p.KvHeadCount * p.HeadDim;
        using var device = Backends.Create(Backends.Oracle);
        using var kCache = device.AllocateState("k_cache", cacheType, new Shape(length, kvWidth));
        using var vCache = device.AllocateState("v_cache", cacheType, new Shape(length, kvWidth));
        var g = new ComputeGraph();
        var all = g.Input("all_positions", length);
        var kw = g.KvWrite("kw", g.Weight(Weights.F32("k", keys, length, kvWidth)), all, g.State("k_cache", kCache), 0);
        var vw = g.KvWrite("vw", g.Weight(Weights.F32("v", values, length, kvWidth)), all, g.State("v_cache", vCache), 0);
        var pos = g.Input("positions", 1);
        var y = g.Attention("y", g.Weight(Weights.F32("q", q, 1, q.Length)), pos, kw, vw, p);
        g.MarkOutput(y);
        using var exe = device.Compile(g);
        exe.SetInput(all, [.. Enumerable.Range(0, length)]);
        exe.SetInput(pos, [position]);
        exe.Run();
        var result = new float[q.Length];
        exe.Read(y, result);
        return result;
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Bad_block_table_entries_and_positions_are_named_errors(string backend)
    {
        foreach (var name in new[] { backend, Backends.Oracle })
        {
            using var device = Backends.Create(name);
            using var k = device.AllocateState("k", TensorType.F32, new Shape(8, 4));
            using var v = device.AllocateState("v", TensorType.F32, new Shape(8, 4));
            var g = new ComputeGraph();
            var pos = g.Input("positions", 1);
            var tables = g.Input("block_tables", 2);
            var p = new AttentionParams(0, 1, 1, 4, 1f, 0, BlockSize: 4, MaxBlocksPerSeq: 2);
            var y = g.Attention("attn", g.Weight(Weights.F32("q", [1, 2, 3, 4], 1, 4)), pos, g.State("k", k), g.State("v", v), p, tables);
            g.MarkOutput(y);
            using var exe = device.Compile(g);
            exe.SetInput(pos, [5]);
            exe.SetInput(tables, [0, 2]);  // block 2 of a 2-block cache
            Assert.Contains("'attn'", Assert.Throws<HearthException>(exe.Run).Message, StringComparison.Ordinal);
            exe.SetInput(pos, [8]);        // past 2 blocks of 4
            exe.SetInput(tables, [0, 1]);
            Assert.Contains("past the block table", Assert.Throws<HearthException>(exe.Run).Message, StringComparison.Ordinal);
            exe.SetInput(pos, [7]);
            exe.Run();
        }
        Assert.Throws<HearthException>(() =>
        {
            var g = new ComputeGraph();
            using var device = Backends.Create(backend);
            using var k = device.AllocateState("k", TensorType.F32, new Shape(8, 4));
            g.Attention("attn", g.Input("q_ids", 1), g.Input("positions", 1), g.State("k", k), g.State("v", k), new AttentionParams(0, 1, 1, 4, 1f, 0, 4, 2));
        });
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void GatherRows_and_CopyRows_match_reference(string backend)
    {
        var random = new Random(5);
        foreach (int width in new[] { 1, 7, 37 })
        {
            var xs = Weights.RandomFloats(random, 9 * width);
            var x = Weights.F32("x", xs, 9, width);
            int[] rows = [8, 0, 3, 3, 8];
            var (expected, actual) = OpRunner.Both(backend, (d, g) =>
            {
                var r = g.Input("rows", rows.Length);
                return (g.GatherRows("y", g.Weight(x), r), [(r, rows)]);
            });
            Assert.Equal(expected, actual);
            for (int i = 0; i < rows.Length; i++)
                Assert.Equal(xs.AsSpan(rows[i] * width, width).ToArray(), expected.AsSpan(i * width, width).ToArray());
        }
        foreach (var type in new[] { TensorType.F32, TensorType.F16 })
        {
            foreach (var name in new[] { backend, Backends.Oracle })
            {
                using var device = Backends.Create(name);
                using var cache = device.AllocateState("c", type, new Shape(10, 5));
                var src = Weights.F32("src", Weights.RandomFloats(random, 10 * 5), 10, 5);
                var g = new ComputeGraph();
                var slots = g.Input("slots", 10);
                g.MarkOutput(g.KvWrite("w", g.Weight(src), slots, g.State("c", cache), 0));
                using (var exe = device.Compile(g))
                {
                    exe.SetInput(slots, [.. Enumerable.Range(0, 10)]);
                    exe.Run();
                }
                var before = new float[50];
                cache.ReadRows(0, 10, before);
                cache.CopyRows(1, 6, 3);
                var after = new float[50];
                cache.ReadRows(0, 10, after);
                Assert.Equal(before.AsSpan(5, 15).ToArray(), after.AsSpan(30, 15).ToArray());
                Assert.Equal(before.AsSpan(0, 30).ToArray(), after.AsSpan(0, 30).ToArray());
                Assert.Equal(before.AsSpan(45, 5).ToArray(), after.AsSpan(45, 5).ToArray());
                Assert.Throws<HearthException>(() => cache.CopyRows(8, 0, 3));
                Assert.Throws<HearthException>(() => cache.CopyRows(0, 2, 3));
            }
        }
    }
}
