using Hearth.Backends.Cpu.Reference;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

public class KvWriteTests
{
    private static (IExecutable Executable, Node Positions, Node Written) Build(CpuReferenceDevice device, IStateBuffer cache, TestWeight src)
    {
        var graph = new ComputeGraph();
        var positions = graph.Input("pos", src.Tensor.Shape[0]);
        var written = graph.KvWrite("k_write", graph.Weight(src.Tensor), positions, graph.State("k_cache", cache), 0);
        return (device.Compile(graph), positions, written);
    }

    [Theory]
    [InlineData(TensorType.F32)]
    [InlineData(TensorType.F16)]
    public void Writes_rows_at_positions_converting_to_the_cache_type(TensorType cacheType)
    {
        var src = TestTensors.F32("k", TestTensors.Random(new Random(2), 3 * 5, 100.0), 3, 5);
        using var device = new CpuReferenceDevice();
        using var cache = device.AllocateState("k", cacheType, new Shape(7, 5));
        var (executable, positions, written) = Build(device, cache, src);
        using var _ = executable;
        executable.SetInput(positions, [4, 0, 6]);

        executable.Run();

        var expected = new double[7 * 5];
        int[] rows = [4, 0, 6];
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 5; i++)
            {
                float value = (float)src.Values[t * 5 + i];
                expected[rows[t] * 5 + i] = cacheType == TensorType.F16 ? (double)(Half)value : value;
            }
        Check.Close(expected, GraphRunner.Read(executable, written), 0, 0);
        var direct = new float[7 * 5];
        cache.ReadRows(0, 7, direct);
        Check.Close(expected, direct, 0, 0);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(100)]
    public void Position_past_capacity_throws_context_full(int position)
    {
        var src = TestTensors.F32("k", new float[2], 1, 2);
        using var device = new CpuReferenceDevice();
        using var cache = device.AllocateState("k", TensorType.F32, new Shape(4, 2));
        var (executable, positions, _) = Build(device, cache, src);
        using var __ = executable;
        executable.SetInput(positions, [position]);

        var error = Assert.Throws<HearthException>(executable.Run);

        Assert.Contains("context is full", error.Message, StringComparison.Ordinal);
        Assert.Contains("k_write", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_position_throws_hearth_exception()
    {
        var src = TestTensors.F32("k", new float[2], 1, 2);
        using var device = new CpuReferenceDevice();
        using var cache = device.AllocateState("k", TensorType.F32, new Shape(4, 2));
        var (executable, positions, _) = Build(device, cache, src);
        using var __ = executable;
        executable.SetInput(positions, [-1]);

        Assert.Throws<HearthException>(executable.Run);
    }
}
