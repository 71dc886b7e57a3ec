using Hearth.Compute;

namespace Hearth.Backends.Cpu.Tests;

public class RmsNormTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 33)]
    [InlineData(3, 17)]
    [InlineData(17, 3)]
    [InlineData(33, 33)]
    public void Matches_naive_double(int rows, int width)
    {
        var random = new Random(rows * 100 + width);
        var x = TestTensors.F32("x", TestTensors.Random(random, rows * width, 3.0), rows, width);
        var weight = TestTensors.Random(random, width);
        const float eps = 1e-5f;
        var graph = new ComputeGraph();
        var y = graph.RmsNorm("y", graph.Weight(x.Tensor), graph.Constant("w", weight), eps);

        var actual = GraphRunner.RunOnce(graph, y);

        var expected = new double[rows * width];
        for (int r = 0; r < rows; r++)
        {
            double meanSquare = 0;
            for (int i = 0; i < width; i++) meanSquare += x.Values[r * width + i] * x.Values[r * width + i];
            meanSquare /= width;
            for (int i = 0; i < width; i++) expected[r * width + i] = x.Values[r * width + i] / Math.Sqrt(meanSquare + eps) * weight[i];
        }
        Check.Close(expected, actual, 1e-5, 1e-5);
    }

    [Fact]
    public void Norm_weight_stored_as_F16_is_dequantized()
    {
        var random = new Random(7);
        var x = TestTensors.F32("x", TestTensors.Random(random, 2 * 17), 2, 17);
        var weight = TestTensors.F16("norm", TestTensors.Random(random, 17), 17);
        var graph = new ComputeGraph();
        var y = graph.RmsNorm("y", graph.Weight(x.Tensor), graph.Weight(weight.Tensor), 1e-6f);

        var actual = GraphRunner.RunOnce(graph, y);

        var expected = new double[2 * 17];
        for (int r = 0; r < 2; r++)
        {
            double meanSquare = x.Values.Skip(r * 17).Take(17).Sum(v => v * v) / 17;
            for (int i = 0; i < 17; i++) expected[r * 17 + i] = x.Values[r * 17 + i] / Math.Sqrt(meanSquare + 1e-6) * weight.Values[i];
        }
        Check.Close(expected, actual, 1e-5, 1e-5);
    }
}
