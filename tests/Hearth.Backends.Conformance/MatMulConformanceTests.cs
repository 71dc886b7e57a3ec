using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Conformance;

/// <summary>
/// MatMul on every backend against cpu-ref over every weight type and odd sizes (rows, columns and token counts
/// that are not multiples of any SIMD width or token tile).
/// Tolerances: F32/F16/BF16 weights NMSE &lt;= 1e-10 (about 1e-5 relative: float accumulation order only);
/// quantized weights NMSE &lt;= 1e-4 (the backend may quantize activations to 8 bits per block as llama.cpp does;
/// expected NMSE from that is about 2e-5).
/// </summary>
public class MatMulConformanceTests
{
    public const double FloatNmse = 1e-10;
    public const double QuantNmse = 1e-4;

    private static readonly int[] OutSizes = [1, 3, 17, 24, 33];  // 24: whole groups of 8 (the cpu backend's interleaved K-quants need them)
    private static readonly int[] TokenCounts = [1, 2, 5, 17];

    public static TheoryData<string, TensorType> Cases()
    {
        var data = new TheoryData<string, TensorType>();
        TensorType[] types =
        [
            TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1,
            TensorType.Q5_0, TensorType.Q5_1, TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
        ];
        foreach (var backend in Backends.UnderTest())
            foreach (var type in types) data.Add(backend, type);
        return data;
    }

    private static int[] InSizes(TensorType type) => TensorTypes.Info(type).BlockSize switch
    {
        1 => [8, 13, 32, 64, 96, 2048 + 32, 2048 + 37],
        32 => [32, 64, 96, 256, 512, 2048 + 32],
        _ => [256, 512, 2048 + 256],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatMul_matches_reference(string backend, TensorType type)
    {
        var random = new Random(1234 + (int)type);
        double limit = TensorTypes.Info(type).BlockSize == 1 ? FloatNmse : QuantNmse;
        foreach (int inFeatures in InSizes(type))
        {
            double error = 0, energy = 0;
            foreach (int outFeatures in OutSizes)
            {
                var weight = Weights.Make(type, "w", random, outFeatures, inFeatures);
                foreach (int tokens in TokenCounts)
                {
                    var x = Weights.F32("x", Weights.RandomFloats(random, tokens * inFeatures), tokens, inFeatures);
                    (Node, (Node, int[])[]) Build(IComputeDevice device, ComputeGraph g) =>
                        (g.MatMul("y", g.Weight(x), g.Weight(weight)), []);
                    var (expected, actual) = OpRunner.Both(backend, Build);
                    for (int i = 0; i < expected.Length; i++)
                    {
                        Assert.True(float.IsFinite(actual[i]), $"{backend} {TensorTypes.Info(type).Name} in {inFeatures} out {outFeatures} T {tokens}: element {i} is {actual[i]}");
                        error += ((double)actual[i] - expected[i]) * ((double)actual[i] - expected[i]);
                        energy += (double)expected[i] * expected[i];
                    }
                }
            }
            // Over all output sizes and token counts of this width: a single short dot can cancel to near zero,
            // which makes its own relative error meaningless; a wrong tail or token tile still dominates the sum.
            double nmse = error / energy;
            Assert.True(nmse <= limit, $"{backend} {TensorTypes.Info(type).Name} in {inFeatures}: NMSE {nmse:g3} > {limit:g3}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void MatMul_by_an_activation_matches_reference(string backend)
    {
        var random = new Random(7);
        var a = Weights.F32("a", Weights.RandomFloats(random, 5 * 40), 5, 40);
        var b = Weights.F32("b", Weights.RandomFloats(random, 9 * 40), 9, 40);
        (Node, (Node, int[])[]) Build(IComputeDevice device, ComputeGraph g) =>
            (g.MatMul("y", g.Weight(a), g.Scale("b2", g.Weight(b), 0.5f)), []);
        var (expected, actual) = OpRunner.Both(backend, Build);
        Assert.True(Compare.Nmse(expected, actual) <= FloatNmse);
    }

    /// <summary>
    /// Activations that 8-bit block quantization represents exactly (integers in [-127, 127], each block of 32
    /// holding a 127): any backend error left is float rounding, so a wrong bit in a weight unpacker cannot hide in
    /// quantization noise. Held to NMSE &lt;= 1e-9.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatMul_with_exactly_quantizable_activations_matches_reference(string backend, TensorType type)
    {
        var random = new Random(99 + (int)type);
        int inFeatures = TensorTypes.Info(type).BlockSize == 256 ? 512 : 96, outFeatures = 17, tokens = 5;
        var weight = Weights.Make(type, "w", random, outFeatures, inFeatures);
        var values = new float[tokens * inFeatures];
        for (int i = 0; i < values.Length; i++) values[i] = i % 32 == 0 ? 127 : random.Next(-127, 128);
        var x = Weights.F32("x", values, tokens, inFeatures);
        (Node, (Node, int[])[]) Build(IComputeDevice device, ComputeGraph g) => (g.MatMul("y", g.Weight(x), g.Weight(weight)), []);
        var (expected, actual) = OpRunner.Both(backend, Build);
        double nmse = Compare.Nmse(expected, actual);
        Assert.True(nmse <= 1e-9, $"{backend} {TensorTypes.Info(type).Name}: NMSE {nmse:g3}");
    }
}
