using System.Numerics;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

public class RopeTests
{
    private static float[] InverseFrequencies(int headDim, double theta = 10000.0) =>
        [.. Enumerable.Range(0, headDim / 2).Select(i => (float)(1.0 / Math.Pow(theta, 2.0 * i / headDim)))];

    [Theory]
    [InlineData(RopeMode.Interleaved, 1, 1, 2)]
    [InlineData(RopeMode.Interleaved, 3, 3, 8)]
    [InlineData(RopeMode.Interleaved, 17, 2, 6)]
    [InlineData(RopeMode.NeoX, 1, 1, 2)]
    [InlineData(RopeMode.NeoX, 3, 3, 8)]
    [InlineData(RopeMode.NeoX, 17, 2, 6)]
    public void Rotates_each_pair_as_a_complex_number(RopeMode mode, int tokens, int headCount, int headDim)
    {
        var random = new Random(tokens * 31 + headCount * 7 + headDim);
        int width = headCount * headDim;
        var x = TestTensors.F32("x", TestTensors.Random(random, tokens * width), tokens, width);
        var positions = Enumerable.Range(0, tokens).Select(t => t * 7 % 101).ToArray();
        var invFreq = InverseFrequencies(headDim);
        var graph = new ComputeGraph();
        var positionsNode = graph.Input("pos", tokens);
        var y = graph.Rope("rope", graph.Weight(x.Tensor), positionsNode, graph.Constant("inv_freq", invFreq), new RopeParams(headCount, headDim, mode));

        var actual = GraphRunner.RunOnce(graph, y, (positionsNode, positions));

        var expected = new double[tokens * width];
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < headCount; h++)
                for (int i = 0; i < half; i++)
                {
                    int head = t * width + h * headDim;
                    int re = mode == RopeMode.Interleaved ? head + 2 * i : head + i;
                    int im = mode == RopeMode.Interleaved ? head + 2 * i + 1 : head + i + half;
                    var rotated = new Complex(x.Values[re], x.Values[im]) * Complex.FromPolarCoordinates(1.0, positions[t] * (double)invFreq[i]);
                    expected[re] = rotated.Real;
                    expected[im] = rotated.Imaginary;
                }
        Check.Close(expected, actual, 2e-5, 1e-5);
    }

    [Fact]
    public void Position_zero_is_identity()
    {
        var x = TestTensors.F32("x", TestTensors.Random(new Random(3), 2 * 8), 2, 8);
        var graph = new ComputeGraph();
        var positionsNode = graph.Input("pos", 2);
        var y = graph.Rope("rope", graph.Weight(x.Tensor), positionsNode, graph.Constant("inv_freq", InverseFrequencies(8)), new RopeParams(1, 8, RopeMode.NeoX));

        var actual = GraphRunner.RunOnce(graph, y, (positionsNode, [0, 0]));

        Check.Close(x.Values, actual, 0, 0);
    }

    [Fact]
    public void Odd_head_dimension_is_rejected_at_compile()
    {
        var x = TestTensors.F32("x", new float[3], 1, 3);
        var graph = new ComputeGraph();
        graph.Rope("rope", graph.Weight(x.Tensor), graph.Input("pos", 1), graph.Constant("inv_freq", [1f]), new RopeParams(1, 3, RopeMode.NeoX));
        using var device = new Reference.CpuReferenceDevice();

        var error = Assert.Throws<HearthException>(() => device.Compile(graph));

        Assert.Contains("'rope'", error.Message, StringComparison.Ordinal);
    }
}
