using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

public class MatMulTests
{
    // x [T, in], w [out, in] -> [T, out] in double
    private static double[] Expected(double[] x, double[] w, int tokens, int inFeatures, int outFeatures)
    {
        var y = new double[tokens * outFeatures];
        for (int t = 0; t < tokens; t++)
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = 0;
                for (int i = 0; i < inFeatures; i++) sum += x[t * inFeatures + i] * w[o * inFeatures + i];
                y[t * outFeatures + o] = sum;
            }
        return y;
    }

    private static void RunCase(TensorType weightType, int tokens, int inFeatures, int outFeatures, double tolerance)
    {
        var random = new Random(tokens * 1000 + inFeatures * 10 + outFeatures);
        var x = TestTensors.F32("x", TestTensors.Random(random, tokens * inFeatures), tokens, inFeatures);
        var w = TestTensors.Make(weightType, "w", random, outFeatures, inFeatures);
        var graph = new ComputeGraph();
        var y = graph.MatMul("y", graph.Weight(x.Tensor), graph.Weight(w.Tensor));

        var actual = GraphRunner.RunOnce(graph, y);

        Check.Close(Expected(x.Values, w.Values, tokens, inFeatures, outFeatures), actual, tolerance, tolerance);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 3, 17)]
    [InlineData(3, 17, 33)]
    [InlineData(17, 33, 3)]
    [InlineData(33, 33, 1)]
    public void F32_weights_match_naive_double(int tokens, int inFeatures, int outFeatures) =>
        RunCase(TensorType.F32, tokens, inFeatures, outFeatures, 1e-5);

    [Theory]
    [InlineData(TensorType.F16, 1, 3, 17)]
    [InlineData(TensorType.F16, 17, 33, 3)]
    [InlineData(TensorType.BF16, 3, 17, 33)]
    [InlineData(TensorType.BF16, 33, 1, 1)]
    [InlineData(TensorType.Q8_0, 1, 32, 17)]
    [InlineData(TensorType.Q8_0, 3, 96, 33)]
    [InlineData(TensorType.Q4_0, 1, 64, 3)]
    [InlineData(TensorType.Q4_0, 17, 96, 1)]
    public void Stored_weights_are_dequantized_inside_the_dot(TensorType weightType, int tokens, int inFeatures, int outFeatures) =>
        RunCase(weightType, tokens, inFeatures, outFeatures, 1e-4);

    [Fact]
    public void F32_activation_as_weight_operand()
    {
        var random = new Random(5);
        var x = TestTensors.F32("x", TestTensors.Random(random, 3 * 5), 3, 5);
        var w = TestTensors.F32("w", TestTensors.Random(random, 4 * 5), 4, 5);
        var graph = new ComputeGraph();
        var wScaled = graph.Scale("w2", graph.Weight(w.Tensor), 2f);
        var y = graph.MatMul("y", graph.Weight(x.Tensor), wScaled);

        var actual = GraphRunner.RunOnce(graph, y);

        Check.Close(Expected(x.Values, [.. w.Values.Select(v => v * 2)], 3, 5, 4), actual);
    }
}
