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
        ArgumentNullException.ThrowIfNull(name);
        if (shape.Rank != 2 || shape[0] <= 0 || shape[1] <= 0)
            throw new HearthException($"state buffer '{name}': shape must be [capacity, width] with both positive, got {shape}");
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
        if (fromRow < 0 || fromRow > Capacity)
            throw new HearthException($"state buffer '{Name}': cannot clear from row {fromRow}, capacity is {Capacity}");
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
        if (fromRow < 0 || count < 0 || fromRow > Capacity - count)
            throw new HearthException($"state buffer '{Name}': rows [{fromRow}, {fromRow + (long)count}) are outside [0, {Capacity})");
        int needed = count * Width;
        if (destination.Length < needed)
            throw new HearthException($"state buffer '{Name}': destination holds {destination.Length} floats, {count} rows need {needed}");
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
        if (count < 0 || srcRow < 0 || dstRow < 0 || srcRow > Capacity - count || dstRow > Capacity - count)
            throw new HearthException($"state buffer '{Name}': cannot copy {count} rows from {srcRow} to {dstRow}, capacity is {Capacity}");
        if (count == 0) return;
        if (Math.Abs(srcRow - dstRow) < count)
            throw new HearthException($"state buffer '{Name}': row ranges [{srcRow}, {srcRow + count}) and [{dstRow}, {dstRow + count}) overlap");
        long rowBytes = (long)Width * ElementBytes;
        _context.CopyWithin(Buffer, srcRow * rowBytes, dstRow * rowBytes, count * rowBytes);
    }

    public void Dispose() => Buffer.Dispose();
}
