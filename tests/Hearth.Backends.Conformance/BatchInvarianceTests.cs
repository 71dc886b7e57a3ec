using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Conformance;

/// <summary>
/// Batch invariance, the rule continuous batching relies on: every kernel computes each row of a step bit for bit the
/// same whatever T is and whatever the other rows hold (thread partitioning, token tiles of the matmul and activation
/// quantization included). Each case runs a row alone (T = 1) and inside a T = 37 step of random other rows, at several
/// places in the step (first, inside and at the end of a token tile, last), and demands exact equality. Holds for every
/// backend, the oracle too; a greedy request's tokens then never depend on what else is in the batch.
/// </summary>
public class BatchInvarianceTests
{
    private const int BatchTokens = 37;
    private static readonly int[] Places = [0, 1, 3, 4, 17, 36];

    public static TheoryData<string, TensorType> MatMulCases()
    {
        var data = new TheoryData<string, TensorType>();
        TensorType[] types =
        [
            TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1,
            TensorType.Q5_0, TensorType.Q5_1, TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
        ];
        foreach (var backend in Backends.UnderTest().Append(Backends.Oracle))
            foreach (var type in types) data.Add(backend, type);
        return data;
    }

    [Theory]
    [MemberData(nameof(MatMulCases))]
    public void MatMul_rows_do_not_depend_on_the_batch(string backend, TensorType type)
    {
        var random = new Random(77 + (int)type);
        int inFeatures = TensorTypes.Info(type).BlockSize switch { 1 => 2048 + 37, 32 => 2048 + 32, _ => 2048 + 256 };
        // 67: odd, so the thread pool's row chunks end unevenly; 72: whole groups of 8 rows (the cpu backend repacks
        // K-quants into its interleaved kernels only then).
        foreach (int outFeatures in new[] { 67, 72 }) RowsDoNotDependOnTheBatch(backend, random, inFeatures, outFeatures, type);
    }

    private static void RowsDoNotDependOnTheBatch(string backend, Random random, int inFeatures, int outFeatures, TensorType type)
    {
        var weight = Weights.Make(type, "w", random, outFeatures, inFeatures);
        var batch = Weights.RandomFloats(random, BatchTokens * inFeatures, 3);
        var all = Run(backend, batch, BatchTokens, inFeatures, weight);
        foreach (int place in Places)
        {
            var alone = Run(backend, batch.AsSpan(place * inFeatures, inFeatures).ToArray(), 1, inFeatures, weight);
            Assert.Equal(alone, all.AsSpan(place * outFeatures, outFeatures).ToArray());
        }
        // And in a different batch of a different size.
        var other = Weights.RandomFloats(random, 6 * inFeatures, 0.5);
        batch.AsSpan(17 * inFeatures, inFeatures).CopyTo(other.AsSpan(2 * inFeatures));
        var mixed = Run(backend, other, 6, inFeatures, weight);
        Assert.Equal(all.AsSpan(17 * outFeatures, outFeatures).ToArray(), mixed.AsSpan(2 * outFeatures, outFeatures).ToArray());
    }

    private static float[] Run(string backend, float[] x, int tokens, int inFeatures, HostTensor weight) =>
        OpRunner.Run(backend, (d, g) => (g.MatMul("y", g.Weight(Weights.F32("x", x, tokens, inFeatures)), g.Weight(weight)), []));

    public static TheoryData<string> AllBackends()
    {
        var data = new TheoryData<string>();
        foreach (var backend in Backends.UnderTest().Append(Backends.Oracle)) data.Add(backend);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Row_ops_do_not_depend_on_the_batch(string backend)
    {
        var random = new Random(3);
        const int width = 4 * 24;  // 4 heads of 24
        var xs = Weights.RandomFloats(random, BatchTokens * width, 4);
        var norm = Weights.F32("norm_w", Weights.RandomFloats(random, width), width);
        var invFreq = Enumerable.Range(0, 12).Select(i => MathF.Pow(10000f, -2f * i / 24)).ToArray();
        var positions = Enumerable.Range(0, BatchTokens).Select(_ => random.Next(4096)).ToArray();

        float[] Run(float[] x, int[] pos)
        {
            int tokens = pos.Length;
            return OpRunner.Run(backend, (d, g) =>
            {
                var p = g.Input("positions", tokens);
                var h = g.RmsNorm("norm", g.Weight(Weights.F32("x", x, tokens, width)), g.Weight(norm), 1e-5f);
                var r = g.Rope("rope", h, p, g.Constant("inv_freq", invFreq), new RopeParams(4, 24, RopeMode.NeoX));
                var s = g.SiluMul("act", r, h);
                return (g.Add("y", s, h), [(p, pos)]);
            });
        }

        var all = Run(xs, positions);
        foreach (int place in Places)
        {
            var alone = Run(xs.AsSpan(place * width, width).ToArray(), [positions[place]]);
            Assert.Equal(alone, all.AsSpan(place * width, width).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(AllBackends))]
    public void Paged_attention_rows_do_not_depend_on_the_batch(string backend)
    {
        var random = new Random(4);
        const int blockSize = 16, heads = 8, kvHeads = 2, headDim = 32, maxBlocks = 40, numBlocks = 48;  // 640 positions: long enough that Vulkan splits T = 1 (split-K) but not T = 37 (flash)
        int kvWidth = kvHeads * headDim, width = heads * headDim;
        var p = new AttentionParams(0, heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), 0, blockSize, maxBlocks);
        var kRows = Weights.RandomFloats(random, numBlocks * blockSize * kvWidth);
        var vRows = Weights.RandomFloats(random, numBlocks * blockSize * kvWidth);
        var tables = Enumerable.Range(0, BatchTokens).SelectMany(_ => Enumerable.Range(0, numBlocks).OrderBy(_ => random.Next()).Take(maxBlocks)).ToArray();
        var positions = Enumerable.Range(0, BatchTokens).Select(_ => random.Next(maxBlocks * blockSize)).ToArray();
        var q = Weights.RandomFloats(random, BatchTokens * width, 2);

        float[] Run(float[] query, int[] pos, int[] table)
        {
            int tokens = pos.Length;
            using var device = Backends.Create(backend);
            using var k = device.AllocateState("k", TensorType.F16, new Shape(numBlocks * blockSize, kvWidth));
            using var v = device.AllocateState("v", TensorType.F16, new Shape(numBlocks * blockSize, kvWidth));
            var g = new ComputeGraph();
            var slots = g.Input("slots", numBlocks * blockSize);
            var kw = g.KvWrite("kw", g.Weight(Weights.F32("kr", kRows, numBlocks * blockSize, kvWidth)), slots, g.State("k", k), 0);
            var vw = g.KvWrite("vw", g.Weight(Weights.F32("vr", vRows, numBlocks * blockSize, kvWidth)), slots, g.State("v", v), 0);
            var posInput = g.Input("positions", tokens);
            var tableInput = g.Input("block_tables", tokens * maxBlocks);
            var y = g.Attention("y", g.Weight(Weights.F32("q", query, tokens, width)), posInput, kw, vw, p, tableInput);
            g.MarkOutput(y);
            using var exe = device.Compile(g);
            exe.SetInput(slots, [.. Enumerable.Range(0, numBlocks * blockSize)]);
            exe.SetInput(posInput, pos);
            exe.SetInput(tableInput, table);
            exe.Run();
            var result = new float[tokens * width];
            exe.Read(y, result);
            return result;
        }

        var all = Run(q, positions, tables);
        foreach (int place in Places)
        {
            var alone = Run(q.AsSpan(place * width, width).ToArray(), [positions[place]], tables.AsSpan(place * maxBlocks, maxBlocks).ToArray());
            Assert.Equal(alone, all.AsSpan(place * width, width).ToArray());
        }
    }
}
