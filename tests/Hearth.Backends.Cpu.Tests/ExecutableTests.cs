using Hearth.Backends.Cpu.Reference;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

public class ExecutableTests
{
    /// <summary>A state buffer from some other backend: cpu-ref cannot read it.</summary>
    private sealed class ForeignStateBuffer : IStateBuffer
    {
        public string Name => "foreign";
        public TensorType Type => TensorType.F32;
        public Shape Shape => new(4, 2);
        public void Clear(int fromRow = 0) { }
        public void ReadRows(int fromRow, int count, Span<float> destination) { }
        public void CopyRows(int srcRow, int dstRow, int count) { }
        public void Dispose() { }
    }

    /// <summary>ids -> embedding (F32 table [vocab, dim]) -> rms norm -> matmul [out, dim]; the naive result of every stage.</summary>
    private sealed class SmallModel
    {
        public const int Vocab = 17, Dim = 33, Out = 3;
        public readonly TestWeight Table = TestTensors.F32("token_embd", TestTensors.Random(new Random(1), Vocab * Dim), Vocab, Dim);
        public readonly TestWeight Projection = TestTensors.F32("proj", TestTensors.Random(new Random(2), Out * Dim), Out, Dim);
        public readonly float[] NormWeight = TestTensors.Random(new Random(3), Dim);
        public readonly ComputeGraph Graph = new();
        public readonly Node Ids, Norm, Output;

        public SmallModel(int tokens)
        {
            Ids = Graph.Input("ids", tokens);
            var embedded = Graph.Embedding("embd", Graph.Weight(Table.Tensor), Ids);
            Norm = Graph.RmsNorm("norm", embedded, Graph.Constant("norm.weight", NormWeight), 1e-5f);
            Output = Graph.MatMul("out", Norm, Graph.Weight(Projection.Tensor));
            Graph.MarkOutput(Output);
        }

        public double[] ExpectedNorm(int[] ids)
        {
            var result = new double[ids.Length * Dim];
            for (int t = 0; t < ids.Length; t++)
            {
                var row = Table.Values.AsSpan(ids[t] * Dim, Dim).ToArray();
                double rms = Math.Sqrt(row.Sum(v => v * v) / Dim + 1e-5);
                for (int i = 0; i < Dim; i++) result[t * Dim + i] = row[i] / rms * NormWeight[i];
            }
            return result;
        }

        public double[] ExpectedOutput(int[] ids)
        {
            var norm = ExpectedNorm(ids);
            var result = new double[ids.Length * Out];
            for (int t = 0; t < ids.Length; t++)
                for (int o = 0; o < Out; o++)
                    result[t * Out + o] = Enumerable.Range(0, Dim).Sum(i => norm[t * Dim + i] * Projection.Values[o * Dim + i]);
            return result;
        }
    }

    [Fact]
    public void Intermediates_can_be_read_after_a_run()
    {
        var model = new SmallModel(3);
        using var device = new CpuReferenceDevice();
        using var executable = device.Compile(model.Graph);
        int[] ids = [5, 16, 0];
        executable.SetInput(model.Ids, ids);

        executable.Run();

        Check.Close(model.ExpectedNorm(ids), GraphRunner.Read(executable, model.Norm), 1e-5, 1e-5);
        Check.Close(model.ExpectedOutput(ids), GraphRunner.Read(executable, model.Output), 1e-5, 1e-5);
        Check.Close([5, 16, 0], GraphRunner.Read(executable, model.Ids), 0, 0);
        Check.Close(model.Table.Values, GraphRunner.Read(executable, model.Graph.Find("token_embd")!), 0, 0);
        Check.Close(model.NormWeight.Select(v => (double)v).ToArray(), GraphRunner.Read(executable, model.Graph.Find("norm.weight")!), 0, 0);
    }

    [Fact]
    public void Running_again_with_new_inputs_gives_fresh_results()
    {
        var model = new SmallModel(2);
        using var device = new CpuReferenceDevice();
        using var executable = device.Compile(model.Graph);

        executable.SetInput(model.Ids, [1, 2]);
        executable.Run();
        var first = GraphRunner.Read(executable, model.Output);
        executable.SetInput(model.Ids, [9, 4]);
        executable.Run();
        var second = GraphRunner.Read(executable, model.Output);

        Check.Close(model.ExpectedOutput([1, 2]), first, 1e-5, 1e-5);
        Check.Close(model.ExpectedOutput([9, 4]), second, 1e-5, 1e-5);
    }

    [Fact]
    public void Wrong_input_length_throws_hearth_exception_naming_the_input()
    {
        var model = new SmallModel(2);
        using var device = new CpuReferenceDevice();
        using var executable = device.Compile(model.Graph);

        var error = Assert.Throws<HearthException>(() => executable.SetInput(model.Ids, [1, 2, 3]));

        Assert.Contains("'ids'", error.Message, StringComparison.Ordinal);
        Assert.Contains("2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setting_a_non_input_or_running_without_inputs_throws()
    {
        var model = new SmallModel(2);
        using var device = new CpuReferenceDevice();
        using var executable = device.Compile(model.Graph);

        Assert.Throws<HearthException>(() => executable.SetInput(model.Norm, [1, 2]));
        var error = Assert.Throws<HearthException>(executable.Run);
        Assert.Contains("'ids'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_node_of_another_graph_or_into_a_wrong_size_throws()
    {
        var model = new SmallModel(2);
        var other = new SmallModel(2);
        using var device = new CpuReferenceDevice();
        using var executable = device.Compile(model.Graph);
        executable.SetInput(model.Ids, [1, 2]);
        executable.Run();

        Assert.Throws<HearthException>(() => executable.Read(other.Norm, new float[2 * SmallModel.Dim]));
        Assert.Throws<HearthException>(() => executable.Read(model.Norm, new float[3]));
    }

    [Fact]
    public void Unsupported_node_is_named_at_compile()
    {
        var graph = new ComputeGraph();
        var q = TestTensors.F32("q", new float[2], 1, 2);
        var foreign = new ForeignStateBuffer();
        var positions = graph.Input("pos", 1);
        graph.KvWrite("blk.0.k_write", graph.Weight(q.Tensor), positions, graph.State("blk.0.k_cache", foreign), 0);
        using var device = new CpuReferenceDevice();

        var error = Assert.Throws<HearthException>(() => device.Compile(graph));

        Assert.Contains("'blk.0.k_cache'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cpu-ref", error.Message, StringComparison.Ordinal);
        Assert.False(device.Supports(graph.Find("blk.0.k_cache")!));
        Assert.False(device.Supports(graph.Find("blk.0.k_write")!));
        Assert.True(device.Supports(positions));
    }

    [Fact]
    public void Weight_of_an_unsupported_type_or_too_few_bytes_is_rejected()
    {
        var graph = new ComputeGraph();
        var ints = TestTensors.FromBytes("ids_table", TensorType.I32, new byte[16], 2, 2);
        var truncated = TestTensors.FromBytes("short", TensorType.F32, new byte[12], 2, 2);
        var intsNode = graph.Weight(ints);
        var truncatedNode = graph.Weight(truncated);
        using var device = new CpuReferenceDevice();

        Assert.False(device.Supports(intsNode));
        Assert.False(device.Supports(truncatedNode));
        var error = Assert.Throws<HearthException>(() => device.Compile(graph));
        Assert.Contains("'ids_table'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registers_as_cpu_ref()
    {
        CpuBackends.Register();

        Assert.Contains("cpu-ref", BackendRegistry.Names);
        using var device = BackendRegistry.Create("cpu-ref");
        Assert.Equal("cpu-ref", device.BackendName);
        Assert.IsType<CpuReferenceDevice>(device);
    }
}
