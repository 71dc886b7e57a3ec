using Hearth.Compute;

namespace Hearth.Backends.Cpu.Tests;

public class ElementwiseTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(17, 33)]
    public void Add_and_mul_same_shape(int rows, int width)
    {
        var random = new Random(rows + width);
        var a = TestTensors.F32("a", TestTensors.Random(random, rows * width), rows, width);
        var b = TestTensors.F32("b", TestTensors.Random(random, rows * width), rows, width);
        var graph = new ComputeGraph();
        var aNode = graph.Weight(a.Tensor);
        var bNode = graph.Weight(b.Tensor);
        var sum = graph.Add("sum", aNode, bNode);
        var product = graph.Mul("product", aNode, bNode);
        graph.MarkOutput(sum);
        graph.MarkOutput(product);

        using var device = new Reference.CpuReferenceDevice();
        using var executable = device.Compile(graph);
        executable.Run();

        Check.Close([.. a.Values.Zip(b.Values, (x, y) => x + y)], GraphRunner.Read(executable, sum));
        Check.Close([.. a.Values.Zip(b.Values, (x, y) => x * y)], GraphRunner.Read(executable, product));
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(3, 17, false)]
    [InlineData(17, 33, true)]
    [InlineData(33, 3, true)]
    public void Add_and_mul_broadcast_a_row(int rows, int width, bool rowAsMatrix)
    {
        var random = new Random(rows * 3 + width);
        var a = TestTensors.F32("a", TestTensors.Random(random, rows * width), rows, width);
        var bValues = TestTensors.Random(random, width);
        var b = rowAsMatrix ? TestTensors.F32("b", bValues, 1, width) : TestTensors.F32("b", bValues, width);
        var graph = new ComputeGraph();
        var aNode = graph.Weight(a.Tensor);
        var bNode = graph.Weight(b.Tensor);
        var sum = graph.Add("sum", aNode, bNode);
        var product = graph.Mul("product", aNode, bNode);

        using var device = new Reference.CpuReferenceDevice();
        using var executable = device.Compile(graph);
        executable.Run();

        var expectedSum = new double[rows * width];
        var expectedProduct = new double[rows * width];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < width; i++)
            {
                expectedSum[r * width + i] = a.Values[r * width + i] + bValues[i];
                expectedProduct[r * width + i] = a.Values[r * width + i] * bValues[i];
            }
        Check.Close(expectedSum, GraphRunner.Read(executable, sum));
        Check.Close(expectedProduct, GraphRunner.Read(executable, product));
    }

    [Fact]
    public void Scale_multiplies_every_element()
    {
        var values = TestTensors.Random(new Random(1), 3 * 17);
        var graph = new ComputeGraph();
        var y = graph.Scale("y", graph.Constant("x", values), -0.125f);

        var actual = GraphRunner.RunOnce(graph, y);

        Check.Close([.. values.Select(v => v * -0.125)], actual, 0, 0);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(17, 33)]
    public void SiluMul_is_gate_times_sigmoid_gate_times_up(int rows, int width)
    {
        var random = new Random(rows * 7 + width);
        var gate = TestTensors.F32("gate", TestTensors.Random(random, rows * width, 12.0), rows, width);
        var up = TestTensors.F32("up", TestTensors.Random(random, rows * width, 2.0), rows, width);
        var graph = new ComputeGraph();
        var y = graph.SiluMul("y", graph.Weight(gate.Tensor), graph.Weight(up.Tensor));

        var actual = GraphRunner.RunOnce(graph, y);

        var expected = gate.Values.Zip(up.Values, (g, u) => g / (1 + Math.Exp(-g)) * u).ToArray();
        Check.Close(expected, actual, 1e-6, 1e-6);
    }

    [Fact]
    public void SiluMul_of_very_negative_gate_is_zero_not_nan()
    {
        var graph = new ComputeGraph();
        var y = graph.SiluMul("y", graph.Constant("g", [-1000f, 1000f]), graph.Constant("u", [1f, 1f]));

        var actual = GraphRunner.RunOnce(graph, y);

        Assert.Equal(0f, actual[0]);
        Assert.Equal(1000f, actual[1]);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 17, 1)]
    [InlineData(17, 5, 3)]
    [InlineData(33, 3, 33)]
    public void TakeLastRows_copies_the_tail(int rows, int width, int count)
    {
        var x = TestTensors.F32("x", TestTensors.Random(new Random(rows), rows * width), rows, width);
        var graph = new ComputeGraph();
        var y = graph.TakeLastRows("y", graph.Weight(x.Tensor), count);

        var actual = GraphRunner.RunOnce(graph, y);

        Check.Close(x.Values.AsSpan((rows - count) * width), actual, 0, 0);
    }
}
