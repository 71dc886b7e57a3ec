using Hearth.Backends.Cpu.Reference;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

public class StateBufferTests
{
    private static IStateBuffer Filled(CpuReferenceDevice device, TensorType type)
    {
        // Fill every row with (row + 1) through a KvWrite graph, the only way the contract writes state.
        var buffer = device.AllocateState("cache", type, new Shape(5, 3));
        var graph = new ComputeGraph();
        var positions = graph.Input("pos", 5);
        var rows = TestTensors.F32("src", [.. Enumerable.Range(0, 15).Select(i => (float)(i / 3 + 1))], 5, 3);
        graph.KvWrite("write", graph.Weight(rows.Tensor), positions, graph.State("cache", buffer), 0);
        using var executable = device.Compile(graph);
        executable.SetInput(positions, [0, 1, 2, 3, 4]);
        executable.Run();
        return buffer;
    }

    [Theory]
    [InlineData(TensorType.F32)]
    [InlineData(TensorType.F16)]
    public void Starts_zeroed_and_reports_its_description(TensorType type)
    {
        using var device = new CpuReferenceDevice();
        using var buffer = device.AllocateState("blk.0.k", type, new Shape(4, 3));
        var values = new float[12];
        values.AsSpan().Fill(float.NaN);

        buffer.ReadRows(0, 4, values);

        Assert.All(values, v => Assert.Equal(0f, v));
        Assert.Equal("blk.0.k", buffer.Name);
        Assert.Equal(type, buffer.Type);
        Assert.Equal(new Shape(4, 3), buffer.Shape);
    }

    [Theory]
    [InlineData(TensorType.F32)]
    [InlineData(TensorType.F16)]
    public void Clear_zeroes_rows_from_the_given_row(TensorType type)
    {
        using var device = new CpuReferenceDevice();
        using var buffer = Filled(device, type);

        buffer.Clear(3);

        var values = new float[15];
        buffer.ReadRows(0, 5, values);
        Assert.Equal([1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 0, 0, 0, 0, 0], values);
        var middle = new float[3];
        buffer.ReadRows(2, 1, middle);
        Assert.Equal([3, 3, 3], middle);
        buffer.Clear();
        buffer.ReadRows(0, 5, values);
        Assert.All(values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Out_of_range_rows_throw_hearth_exception()
    {
        using var device = new CpuReferenceDevice();
        using var buffer = device.AllocateState("cache", TensorType.F32, new Shape(4, 3));

        Assert.Throws<HearthException>(() => buffer.ReadRows(3, 2, new float[6]));
        Assert.Throws<HearthException>(() => buffer.ReadRows(-1, 1, new float[3]));
        Assert.Throws<HearthException>(() => buffer.ReadRows(0, 2, new float[5]));
        Assert.Throws<HearthException>(() => buffer.Clear(5));
        Assert.Throws<HearthException>(() => buffer.Clear(-1));
    }

    [Fact]
    public void Unsupported_type_or_shape_throws_hearth_exception()
    {
        using var device = new CpuReferenceDevice();

        Assert.Throws<HearthException>(() => device.AllocateState("cache", TensorType.Q8_0, new Shape(4, 32)));
        Assert.Throws<HearthException>(() => device.AllocateState("cache", TensorType.F32, new Shape(12)));
        Assert.Throws<HearthException>(() => device.AllocateState("cache", TensorType.F32, new Shape(0, 3)));
    }
}
