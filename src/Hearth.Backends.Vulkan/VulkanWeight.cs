using System.Runtime.InteropServices;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Vulkan;

/// <summary>
/// A weight on the device in its storage type, uploaded once. Rows are split into chunks of whole rows, each its own
/// buffer no larger than the device's maxStorageBufferRange, so tensors past that limit (a large vocabulary's
/// embedding table) still bind; kernels run once per chunk.
/// </summary>
internal sealed class VulkanWeight : IDisposable
{
    public readonly record struct Chunk(VulkanBuffer Buffer, int FirstRow, int Rows);

    private VulkanWeight(string name, TensorType type, int rows, int width, long rowBytes, Chunk[] chunks)
    {
        Name = name;
        Type = type;
        Rows = rows;
        Width = width;
        RowBytes = rowBytes;
        Chunks = chunks;
    }

    public string Name { get; }
    public TensorType Type { get; }
    public int Rows { get; }
    public int Width { get; }
    public long RowBytes { get; }
    public IReadOnlyList<Chunk> Chunks { get; }

    /// <summary>Uploads a 2-D weight [rows, width] in its storage type, split at <paramref name="maxChunkBytes"/>.</summary>
    public static VulkanWeight Upload(VulkanContext context, HostTensor tensor, long maxChunkBytes)
    {
        int width = tensor.Shape.Last;
        int rows = (int)(tensor.Shape.ElementCount / width);
        long rowBytes = TensorTypes.RowBytes(tensor.Type, width);
        if (rowBytes > maxChunkBytes)
            throw new HearthException($"weight {tensor}: one row of {rowBytes} bytes exceeds the device's storage-buffer range of {maxChunkBytes} bytes");
        int rowsPerChunk = (int)Math.Min(rows, maxChunkBytes / rowBytes);
        var chunks = new List<Chunk>();
        try
        {
            for (int first = 0; first < rows; first += rowsPerChunk)
            {
                int count = Math.Min(rowsPerChunk, rows - first);
                var buffer = context.CreateBuffer(count * rowBytes, BufferPlace.Device, $"weight {tensor.Name}");
                chunks.Add(new Chunk(buffer, first, count));
                buffer.Write(0, tensor.Bytes.Slice(checked((int)(first * rowBytes)), checked((int)(count * rowBytes))));
            }
        }
        catch
        {
            foreach (var c in chunks) c.Buffer.Dispose();
            throw;
        }
        return new VulkanWeight(tensor.Name, tensor.Type, rows, width, rowBytes, [.. chunks]);
    }

    /// <summary>Uploads a weight read as an F32 activation (norm weights, biases), dequantized once on the host.</summary>
    public static VulkanWeight UploadAsF32(VulkanContext context, HostTensor tensor, long maxBytes)
    {
        long count = tensor.Shape.ElementCount;
        if (count * 4 > maxBytes)
            throw new HearthException($"weight {tensor} read as F32 takes {count * 4} bytes, more than the device's storage-buffer range of {maxBytes}");
        var values = new float[count];
        int width = tensor.Shape.Last;
        long rowBytes = TensorTypes.RowBytes(tensor.Type, width);
        for (long row = 0; row < count / width; row++)
            Dequant.Row(tensor.Type, tensor.Bytes.Slice((int)(row * rowBytes), (int)rowBytes), values.AsSpan((int)(row * width), width));
        var buffer = context.CreateBuffer(count * 4, BufferPlace.Device, $"weight {tensor.Name}");
        buffer.Write(0, MemoryMarshal.AsBytes(values.AsSpan()));
        return new VulkanWeight(tensor.Name, TensorType.F32, (int)(count / width), width, width * 4L, [new Chunk(buffer, 0, (int)(count / width))]);
    }

    public void Dispose()
    {
        foreach (var chunk in Chunks) chunk.Buffer.Dispose();
    }
}
