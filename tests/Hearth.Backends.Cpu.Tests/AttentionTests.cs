using Hearth.Backends.Cpu.Reference;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

public class AttentionTests
{
    /// <summary>
    /// Naive attention in double: q [T, heads * headDim] at positions [T] over cache rows k, v [rows, kvHeads * headDim];
    /// head h uses KV head h / (heads / kvHeads); query at p sees rows j with p - window &lt; j &lt;= p (window 0: all j &lt;= p).
    /// </summary>
    private static double[] Expected(double[] q, int[] positions, double[] k, double[] v, int headCount, int kvHeadCount, int headDim, double scale, int window)
    {
        int width = headCount * headDim, kvWidth = kvHeadCount * headDim;
        var result = new double[positions.Length * width];
        for (int t = 0; t < positions.Length; t++)
            for (int h = 0; h < headCount; h++)
            {
                int kvHead = h * kvHeadCount / headCount;
                var visible = Enumerable.Range(0, positions[t] + 1).Where(j => window == 0 || positions[t] - j < window).ToArray();
                var logits = visible.Select(j => scale * Enumerable.Range(0, headDim).Sum(d => q[t * width + h * headDim + d] * k[j * kvWidth + kvHead * headDim + d])).ToArray();
                var weights = logits.Select(l => Math.Exp(l - logits.Max())).ToArray();
                double total = weights.Sum();
                for (int d = 0; d < headDim; d++)
                    result[t * width + h * headDim + d] = visible.Select((j, n) => weights[n] / total * v[j * kvWidth + kvHead * headDim + d]).Sum();
            }
        return result;
    }

    /// <summary>Values as the cache stores them (F16 caches round every element).</summary>
    private static double[] AsStored(double[] values, TensorType cacheType) =>
        cacheType == TensorType.F16 ? [.. values.Select(v => (double)(Half)v)] : values;

    /// <summary>One step: write K/V rows at the positions, then attend. Returns (attention output, graph node, executable runner).</summary>
    private static float[] Step(CpuReferenceDevice device, IStateBuffer kCache, IStateBuffer vCache, TestWeight q, TestWeight k, TestWeight v, int[] positions, AttentionParams p)
    {
        var graph = new ComputeGraph();
        var positionsNode = graph.Input("pos", positions.Length);
        var kWritten = graph.KvWrite("k_write", graph.Weight(k.Tensor), positionsNode, graph.State("k_cache", kCache), p.Layer);
        var vWritten = graph.KvWrite("v_write", graph.Weight(v.Tensor), positionsNode, graph.State("v_cache", vCache), p.Layer);
        var output = graph.Attention("attn", graph.Weight(q.Tensor), positionsNode, kWritten, vWritten, p);
        using var executable = device.Compile(graph);
        executable.SetInput(positionsNode, positions);
        executable.Run();
        return GraphRunner.Read(executable, output);
    }

    [Theory]
    [InlineData(4, 2, 8, 5, 0, TensorType.F32)]
    [InlineData(6, 2, 4, 3, 0, TensorType.F32)]
    [InlineData(2, 2, 5, 17, 0, TensorType.F32)]
    [InlineData(3, 1, 6, 1, 0, TensorType.F32)]
    [InlineData(4, 2, 8, 17, 3, TensorType.F32)]
    [InlineData(6, 2, 4, 7, 1, TensorType.F32)]
    [InlineData(4, 2, 8, 5, 0, TensorType.F16)]
    [InlineData(6, 2, 4, 9, 4, TensorType.F16)]
    public void Prefill_then_decode_matches_naive_attention(int headCount, int kvHeadCount, int headDim, int promptTokens, int window, TensorType cacheType)
    {
        var random = new Random(headCount * 1000 + kvHeadCount * 100 + headDim * 10 + promptTokens + window);
        int width = headCount * headDim, kvWidth = kvHeadCount * headDim, capacity = promptTokens + 3;
        int total = promptTokens + 1;
        var q = TestTensors.F32("q", TestTensors.Random(random, total * width, 2.0), total, width);
        var k = TestTensors.F32("k", TestTensors.Random(random, total * kvWidth, 2.0), total, kvWidth);
        var v = TestTensors.F32("v", TestTensors.Random(random, total * kvWidth), total, kvWidth);
        var p = new AttentionParams(0, headCount, kvHeadCount, headDim, 1f / MathF.Sqrt(headDim), window);
        using var device = new CpuReferenceDevice();
        using var kCache = device.AllocateState("k", cacheType, new Shape(capacity, kvWidth));
        using var vCache = device.AllocateState("v", cacheType, new Shape(capacity, kvWidth));
        var kStored = AsStored(k.Values, cacheType);
        var vStored = AsStored(v.Values, cacheType);

        // Prefill rows 0 .. promptTokens - 1.
        var prompt = Enumerable.Range(0, promptTokens).ToArray();
        var prefill = Step(device, kCache, vCache, Rows(q, 0, promptTokens), Rows(k, 0, promptTokens), Rows(v, 0, promptTokens), prompt, p);
        Check.Close(Expected(q.Values[..(promptTokens * width)], prompt, kStored, vStored, headCount, kvHeadCount, headDim, p.Scale, window), prefill, 1e-5, 1e-4);

        // Decode one token at the next position: it reads the prefill's cache rows.
        var decode = Step(device, kCache, vCache, Rows(q, promptTokens, 1), Rows(k, promptTokens, 1), Rows(v, promptTokens, 1), [promptTokens], p);
        Check.Close(Expected(q.Values[(promptTokens * width)..], [promptTokens], kStored, vStored, headCount, kvHeadCount, headDim, p.Scale, window), decode, 1e-5, 1e-4);

        // The cache holds the written rows (converted to its type) and zeros past them.
        var cached = new float[capacity * kvWidth];
        kCache.ReadRows(0, capacity, cached);
        Check.Close(kStored, cached.AsSpan(0, total * kvWidth), 0, 0);
        Assert.All(cached[(total * kvWidth)..], value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Chunk_at_later_positions_sees_earlier_rows_and_is_causal_inside_the_chunk()
    {
        var random = new Random(11);
        const int headCount = 4, kvHeadCount = 2, headDim = 4, kvWidth = kvHeadCount * headDim, width = headCount * headDim;
        var q = TestTensors.F32("q", TestTensors.Random(random, 6 * width), 6, width);
        var k = TestTensors.F32("k", TestTensors.Random(random, 6 * kvWidth), 6, kvWidth);
        var v = TestTensors.F32("v", TestTensors.Random(random, 6 * kvWidth), 6, kvWidth);
        var p = new AttentionParams(0, headCount, kvHeadCount, headDim, 0.5f, 0);
        using var device = new CpuReferenceDevice();
        using var kCache = device.AllocateState("k", TensorType.F32, new Shape(8, kvWidth));
        using var vCache = device.AllocateState("v", TensorType.F32, new Shape(8, kvWidth));

        Step(device, kCache, vCache, Rows(q, 0, 3), Rows(k, 0, 3), Rows(v, 0, 3), [0, 1, 2], p);
        var chunk = Step(device, kCache, vCache, Rows(q, 3, 3), Rows(k, 3, 3), Rows(v, 3, 3), [3, 4, 5], p);

        Check.Close(Expected(q.Values[(3 * width)..], [3, 4, 5], k.Values, v.Values, headCount, kvHeadCount, headDim, 0.5, 0), chunk, 1e-5, 1e-4);
    }

    [Fact]
    public void Position_past_the_cache_throws_context_full()
    {
        var q = TestTensors.F32("q", new float[4], 1, 4);
        var graph = new ComputeGraph();
        using var device = new CpuReferenceDevice();
        using var kCache = device.AllocateState("k", TensorType.F32, new Shape(2, 4));
        using var vCache = device.AllocateState("v", TensorType.F32, new Shape(2, 4));
        var positionsNode = graph.Input("pos", 1);
        graph.Attention("attn", graph.Weight(q.Tensor), positionsNode, graph.State("k", kCache), graph.State("v", vCache), new AttentionParams(0, 1, 1, 4, 1f, 0));
        using var executable = device.Compile(graph);
        executable.SetInput(positionsNode, [2]);

        var error = Assert.Throws<HearthException>(executable.Run);

        Assert.Contains("context is full", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 4, 2, 0)]
    [InlineData(3, 4, 1, 0)]
    [InlineData(16, 6, 2, 0)]
    [InlineData(5, 4, 2, 4)]
    public void Paged_attention_through_a_shuffled_block_table_matches_naive_attention(int blockSize, int headCount, int kvHeadCount, int window)
    {
        var random = new Random(blockSize * 100 + headCount * 10 + window);
        const int headDim = 6, tokens = 23;
        int width = headCount * headDim, kvWidth = kvHeadCount * headDim;
        int blocks = (tokens + blockSize - 1) / blockSize, pool = blocks + 2;
        var table = Enumerable.Range(0, pool).OrderBy(_ => random.Next()).Take(blocks + 1).ToArray();  // one spare entry
        var q = TestTensors.F32("q", TestTensors.Random(random, tokens * width, 2.0), tokens, width);
        var k = TestTensors.F32("k", TestTensors.Random(random, tokens * kvWidth, 2.0), tokens, kvWidth);
        var v = TestTensors.F32("v", TestTensors.Random(random, tokens * kvWidth), tokens, kvWidth);
        var p = new AttentionParams(0, headCount, kvHeadCount, headDim, 1f / MathF.Sqrt(headDim), window, blockSize, table.Length);
        using var device = new CpuReferenceDevice();
        using var kCache = device.AllocateState("k", TensorType.F32, new Shape(pool * blockSize, kvWidth));
        using var vCache = device.AllocateState("v", TensorType.F32, new Shape(pool * blockSize, kvWidth));

        var graph = new ComputeGraph();
        var positions = graph.Input("pos", tokens);
        var slots = graph.Input("slots", tokens);
        var tables = graph.Input("tables", tokens * table.Length);
        var kWritten = graph.KvWrite("k_write", graph.Weight(k.Tensor), slots, graph.State("k_cache", kCache), 0);
        var vWritten = graph.KvWrite("v_write", graph.Weight(v.Tensor), slots, graph.State("v_cache", vCache), 0);
        var output = graph.Attention("attn", graph.Weight(q.Tensor), positions, kWritten, vWritten, p, tables);
        using var executable = device.Compile(graph);
        int[] logical = [.. Enumerable.Range(0, tokens)];
        executable.SetInput(positions, logical);
        executable.SetInput(slots, [.. logical.Select(j => table[j / blockSize] * blockSize + j % blockSize)]);
        executable.SetInput(tables, [.. logical.SelectMany(_ => table)]);
        executable.Run();

        Check.Close(Expected(q.Values, logical, k.Values, v.Values, headCount, kvHeadCount, headDim, p.Scale, window),
            GraphRunner.Read(executable, output), 1e-5, 1e-4);
    }

    private static TestWeight Rows(TestWeight source, int first, int count)
    {
        int width = source.Tensor.Shape.Last;
        var values = source.Values.Skip(first * width).Take(count * width).Select(d => (float)d).ToArray();
        return TestTensors.F32(source.Tensor.Name, values, count, width);
    }
}
