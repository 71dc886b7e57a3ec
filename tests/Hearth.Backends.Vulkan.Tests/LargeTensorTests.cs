using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

public class LargeTensorTests
{
    /// <summary>
    /// A real weight past maxStorageBufferRange (136.7 MiB of F32 against lavapipe's 128 MiB) works in the embedding
    /// and matrix-vector kernels; rows from both chunks are checked against cpu-ref.
    /// </summary>
    [VulkanFact]
    public void A_weight_larger_than_the_storage_buffer_range_works()
    {
        using var device = new VulkanDevice();
        const int width = 1024;
        int rows = (int)(device.Context.MaxStorageBufferRange / (width * 4)) + 3000;
        if ((long)rows * width * 4 > 1L << 30) return;  // a driver with a huge range: splitting is covered by the chunk-size test
        var values = new float[(long)rows * width];
        var random = new Random(77);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5);
        var table = TestTensors.F32("big", values, rows, width);
        int[] ids = [0, rows - 1, rows / 2, rows - 2000];
        (Node, (Node, int[])[]) Lookup(ComputeGraph g)
        {
            var input = g.Input("tokens", ids.Length);
            return (g.Embedding("e", g.Weight(table), input), [(input, ids)]);
        }
        Assert.Equal(TestTensors.Reference(Lookup), TestTensors.Run(device, Lookup));

        var x = TestTensors.F32("x", TestTensors.Random(random, width), 1, width);
        var product = TestTensors.Run(device, g => (g.MatMul("y", g.Weight(x), g.Weight(table)), []));
        Assert.Equal(rows, product.Length);
        foreach (int row in ids)
        {
            double dot = 0;
            for (int k = 0; k < width; k++) dot += (double)values[(long)row * width + k] * BitConverter.ToSingle(x.Bytes.Slice(4 * k, 4));
            Assert.Equal(dot, product[row], 1e-3);
        }
    }
}
