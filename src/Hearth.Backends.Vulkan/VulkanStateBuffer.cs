using System.Runtime.InteropServices;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

/// <summary>KV cache on the device: [capacity, width] as F32 or F16 (rounded to nearest even), zero-filled.</summary>
public sealed class VulkanStateBuffer : IStateBuffer
{
    private readonly VulkanContext _context;

    internal VulkanStateBuffer(VulkanContext context, string name, TensorType type, Shape shape)
    {
        StateBufferChecks.Shape(name, shape);
        if (type is not (TensorType.F32 or TensorType.F16))
            throw new HearthException($"state buffer '{name}': type {TensorTypes.Info(type).Name} is not supported by the vulkan backend (use F32 or F16)");
        _context = context;
        Name = name;
        Type = type;
        Shape = shape;
        ElementBytes = type == TensorType.F32 ? 4 : 2;
        long bytes = shape.ElementCount * ElementBytes;
        if (bytes > context.MaxStorageBufferRange)
            throw new HearthException($"state buffer '{name}': {bytes} bytes exceed the device's storage-buffer range of {context.MaxStorageBufferRange} bytes (use a smaller --context)");
        Buffer = context.CreateBuffer(bytes, BufferPlace.Device, $"KV cache {name}");
        context.Fill(Buffer, 0, Buffer.Size);
    }

    public string Name { get; }
    public TensorType Type { get; }
    public Shape Shape { get; }
    public int Capacity => Shape[0];
    public int Width => Shape[1];
    internal int ElementBytes { get; }
    internal VulkanBuffer Buffer { get; }

    public void Clear(int fromRow = 0)
    {
        StateBufferChecks.Clear(this, fromRow);
        long start = (long)fromRow * Width * ElementBytes;
        long end = Shape.ElementCount * ElementBytes;
        if (end <= start) return;
        // vkCmdFillBuffer works on whole 32-bit words; an F16 row of odd width can start mid-word.
        if (start % 4 != 0)
        {
            Buffer.Write(start, [0, 0]);
            start += 2;
        }
        if (end > start) _context.Fill(Buffer, start, (end - start + 3) & ~3L);
    }

    public void ReadRows(int fromRow, int count, Span<float> destination)
    {
        int needed = StateBufferChecks.ReadRows(this, fromRow, count, destination.Length);
        long start = (long)fromRow * Width * ElementBytes;
        if (Type == TensorType.F32)
        {
            Buffer.Read(start, MemoryMarshal.AsBytes(destination[..needed]));
            return;
        }
        var halves = new Half[needed];
        Buffer.Read(start, MemoryMarshal.AsBytes(halves.AsSpan()));
        for (int i = 0; i < needed; i++) destination[i] = (float)halves[i];
    }

    public void CopyRows(int srcRow, int dstRow, int count)
    {
        if (!StateBufferChecks.CopyRows(this, srcRow, dstRow, count)) return;
        long rowBytes = (long)Width * ElementBytes;
        _context.CopyWithin(Buffer, srcRow * rowBytes, dstRow * rowBytes, count * rowBytes);
    }

    public void Dispose() => Buffer.Dispose();
}
