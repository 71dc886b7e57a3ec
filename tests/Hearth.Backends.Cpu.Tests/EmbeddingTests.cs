using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

public class EmbeddingTests
{
    private static void RunCase(TensorType type, int vocab, int dim, int[] ids)
    {
        var table = TestTensors.Make(type, "token_embd", new Random(vocab + dim), vocab, dim);
        var graph = new ComputeGraph();
        var idsNode = graph.Input("ids", ids.Length);
        var y = graph.Embedding("embd", graph.Weight(table.Tensor), idsNode);

        var actual = GraphRunner.RunOnce(graph, y, (idsNode, ids));

        var expected = ids.SelectMany(id => table.Values.Skip(id * dim).Take(dim)).ToArray();
        Check.Close(expected, actual, 0, 0);
    }

    [Theory]
    [InlineData(1, 1, new[] { 0 })]
    [InlineData(17, 33, new[] { 16, 0, 3, 3 })]
    [InlineData(33, 3, new[] { 5, 32, 1 })]
    public void F32_table_rows_are_copied(int vocab, int dim, int[] ids) => RunCase(TensorType.F32, vocab, dim, ids);

    [Theory]
    [InlineData(TensorType.F16, 17, 33, new[] { 16, 0, 3 })]
    [InlineData(TensorType.BF16, 3, 17, new[] { 2, 1 })]
    [InlineData(TensorType.Q8_0, 17, 64, new[] { 4, 16, 4 })]
    [InlineData(TensorType.Q4_0, 3, 96, new[] { 0, 2 })]
    public void Stored_table_rows_are_dequantized(TensorType type, int vocab, int dim, int[] ids) => RunCase(type, vocab, dim, ids);

    [Theory]
    [InlineData(17)]
    [InlineData(-1)]
    public void Id_outside_vocabulary_throws_hearth_exception(int badId)
    {
        var table = TestTensors.F32("token_embd", new float[17 * 3], 17, 3);
        var graph = new ComputeGraph();
        var idsNode = graph.Input("ids", 2);
        graph.Embedding("embd", graph.Weight(table.Tensor), idsNode);
        using var device = new Reference.CpuReferenceDevice();
        using var executable = device.Compile(graph);
        executable.SetInput(idsNode, [1, badId]);

        var error = Assert.Throws<HearthException>(executable.Run);

        Assert.Contains("embd", error.Message, StringComparison.Ordinal);
        Assert.Contains(badId.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
