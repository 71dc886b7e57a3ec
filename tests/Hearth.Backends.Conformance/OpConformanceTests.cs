using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Conformance;

/// <summary>
/// Every non-MatMul op on every backend against cpu-ref, with widths that leave SIMD tails.
/// Tolerance: element-wise |a - e| &lt;= 1e-5 * max(|e|, 1) (1e-6 for pure copies and exact float arithmetic would
/// also hold; transcendental functions and reduction order get 1e-5).
/// </summary>
public class OpConformanceTests
{
    private const double Tolerance = 1e-5;
    private static readonly int[] Widths = [1, 7, 37, 64, 200];

    private static void Check(string backend, OpRunner.Build build, string what)
    {
        var (expected, actual) = OpRunner.Both(backend, build);
        Compare.Close(expected, actual, Tolerance, $"{backend} {what}");
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Elementwise_ops_match_reference(string backend)
    {
        var random = new Random(11);
        foreach (int width in Widths)
        {
            foreach (int rows in new[] { 1, 3 })
            {
                var a = Weights.F32("a", Weights.RandomFloats(random, rows * width, 4), rows, width);
                var b = Weights.F32("b", Weights.RandomFloats(random, rows * width, 4), rows, width);
                var row = Weights.F32("row", Weights.RandomFloats(random, width, 2), width);
                Check(backend, (d, g) => (g.Add("y", g.Weight(a), g.Weight(b)), []), $"Add {rows}x{width}");
                Check(backend, (d, g) => (g.Add("y", g.Weight(a), g.Weight(row)), []), $"Add broadcast {rows}x{width}");
                Check(backend, (d, g) => (g.Mul("y", g.Weight(a), g.Weight(b)), []), $"Mul {rows}x{width}");
                Check(backend, (d, g) => (g.Mul("y", g.Weight(a), g.Weight(row)), []), $"Mul broadcast {rows}x{width}");
                Check(backend, (d, g) => (g.Scale("y", g.Weight(a), 0.37f), []), $"Scale {rows}x{width}");
                Check(backend, (d, g) => (g.SiluMul("y", g.Weight(a), g.Weight(b)), []), $"SiluMul {rows}x{width}");
                Check(backend, (d, g) => (g.RmsNorm("y", g.Weight(a), g.Weight(row), 1e-5f), []), $"RmsNorm {rows}x{width}");
                Check(backend, (d, g) => (g.TakeLastRows("y", g.Weight(a), 1), []), $"TakeLastRows {rows}x{width}");
                if (rows > 1) Check(backend, (d, g) => (g.TakeLastRows("y", g.Weight(a), rows - 1), []), $"TakeLastRows {rows}x{width}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Embedding_matches_reference_for_every_type(string backend)
    {
        var random = new Random(5);
        TensorType[] types =
        [
            TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1,
            TensorType.Q5_0, TensorType.Q5_1, TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
        ];
        foreach (var type in types)
        {
            int dim = TensorTypes.Info(type).BlockSize == 256 ? 256 : 96 + (TensorTypes.Info(type).BlockSize == 1 ? 5 : 0);
            var table = Weights.Make(type, "table", random, 11, dim);
            int[] ids = [3, 0, 10, 3, 7];
            Check(backend, (d, g) =>
            {
                var input = g.Input("tokens", ids.Length);
                return (g.Embedding("y", g.Weight(table), input), [(input, ids)]);
            }, $"Embedding {TensorTypes.Info(type).Name}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Rope_matches_reference_in_both_modes(string backend)
    {
        var random = new Random(9);
        foreach (var mode in new[] { RopeMode.Interleaved, RopeMode.NeoX })
        {
            foreach (var (heads, headDim) in new[] { (3, 8), (2, 64), (5, 6) })
            {
                int tokens = 5;
                var x = Weights.F32("x", Weights.RandomFloats(random, tokens * heads * headDim), tokens, heads * headDim);
                var invFreq = Enumerable.Range(0, headDim / 2).Select(i => MathF.Pow(10000f, -2f * i / headDim)).ToArray();
                int[] positions = [0, 1, 17, 300, 4095];
                Check(backend, (d, g) =>
                {
                    var pos = g.Input("positions", tokens);
                    return (g.Rope("y", g.Weight(x), pos, g.Constant("inv_freq", invFreq), new RopeParams(heads, headDim, mode)), [(pos, positions)]);
                }, $"Rope {mode} {heads}x{headDim}");
            }
        }
    }

    public static TheoryData<string, TensorType, int, int, int, int> AttentionCases()
    {
        var data = new TheoryData<string, TensorType, int, int, int, int>();
        foreach (var backend in Backends.UnderTest())
        {
            foreach (var cacheType in new[] { TensorType.F32, TensorType.F16 })
            {
                // (heads, kvHeads, window, tokens): MHA, GQA, sliding window; decode (T = 1) and prefill
                data.Add(backend, cacheType, 4, 4, 0, 1);
                data.Add(backend, cacheType, 4, 2, 0, 5);
                data.Add(backend, cacheType, 6, 2, 0, 17);
                data.Add(backend, cacheType, 4, 1, 3, 17);
                data.Add(backend, cacheType, 2, 2, 4, 1);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AttentionCases))]
    public void KvWrite_and_attention_match_reference(string backend, TensorType cacheType, int heads, int kvHeads, int window, int tokens)
    {
        var random = new Random(heads * 100 + kvHeads * 10 + tokens);
        const int headDim = 20, capacity = 40, history = 9;
        int kvWidth = kvHeads * headDim;
        var oldK = Weights.F32("old_k", Weights.RandomFloats(random, history * kvWidth), history, kvWidth);
        var oldV = Weights.F32("old_v", Weights.RandomFloats(random, history * kvWidth), history, kvWidth);
        var k = Weights.F32("k", Weights.RandomFloats(random, tokens * kvWidth), tokens, kvWidth);
        var v = Weights.F32("v", Weights.RandomFloats(random, tokens * kvWidth), tokens, kvWidth);
        var q = Weights.F32("q", Weights.RandomFloats(random, tokens * heads * headDim, 2), tokens, heads * headDim);
        int[] historyPositions = [.. Enumerable.Range(0, history)];
        int[] positions = [.. Enumerable.Range(history, tokens)];
        var p = new AttentionParams(0, heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), window);

        float[] Run(string name)
        {
            using var device = Backends.Create(name);
            using var kCache = device.AllocateState("k_cache", cacheType, new Shape(capacity, kvWidth));
            using var vCache = device.AllocateState("v_cache", cacheType, new Shape(capacity, kvWidth));
            // Step 1 fills the history rows; step 2 writes this step's rows and attends.
            var g1 = new ComputeGraph();
            var pos1 = g1.Input("positions", history);
            var kw1 = g1.KvWrite("kw", g1.Weight(oldK), pos1, g1.State("k_cache", kCache), 0);
            var vw1 = g1.KvWrite("vw", g1.Weight(oldV), pos1, g1.State("v_cache", vCache), 0);
            g1.MarkOutput(kw1);
            g1.MarkOutput(vw1);
            using (var exe1 = device.Compile(g1))
            {
                exe1.SetInput(pos1, historyPositions);
                exe1.Run();
            }
            var g2 = new ComputeGraph();
            var pos2 = g2.Input("positions", tokens);
            var kw = g2.KvWrite("kw", g2.Weight(k), pos2, g2.State("k_cache", kCache), 0);
            var vw = g2.KvWrite("vw", g2.Weight(v), pos2, g2.State("v_cache", vCache), 0);
            var y = g2.Attention("y", g2.Weight(q), pos2, kw, vw, p);
            g2.MarkOutput(y);
            using var exe2 = device.Compile(g2);
            exe2.SetInput(pos2, positions);
            exe2.Run();
            var result = new float[y.Shape.ElementCount + capacity * kvWidth];
            exe2.Read(y, result.AsSpan(0, (int)y.Shape.ElementCount));
            kCache.ReadRows(0, capacity, result.AsSpan((int)y.Shape.ElementCount));
            return result;
        }

        Compare.Close(Run(Backends.Oracle), Run(backend), Tolerance, $"{backend} attention {heads}/{kvHeads} window {window} T {tokens} {cacheType}");
    }
}
