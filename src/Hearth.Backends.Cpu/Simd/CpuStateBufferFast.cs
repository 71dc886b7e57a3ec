using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Simd;

/// <summary>
/// KV cache of the fast CPU device: [capacity, width] in pinned memory as F32 or F16 (rounded to nearest even),
/// zero-filled; attention reads its rows in place.
/// </summary>
public sealed unsafe class CpuFastStateBuffer : IStateBuffer
{
    private readonly Pinned<float>? _f32;
    private readonly Pinned<ushort>? _f16;

    public CpuFastStateBuffer(string name, TensorType type, Shape shape)
    {
        StateBufferChecks.Shape(name, shape);
        long count = shape.ElementCount;
        if (count > Array.MaxLength)
            throw new HearthException($"state buffer '{name}': {shape} has {count} elements, more than one managed array can hold");
        Name = name;
        Type = type;
        Shape = shape;
        switch (type)
        {
            case TensorType.F32: _f32 = new Pinned<float>(count); break;
            case TensorType.F16: _f16 = new Pinned<ushort>(count); break;
            default: throw new HearthException($"state buffer '{name}': type {TensorTypes.Info(type).Name} is not supported by the cpu backend (use F32 or F16)");
        }
    }

    public string Name { get; }
    public TensorType Type { get; }
    public Shape Shape { get; }
    public int Capacity => Shape[0];
    public int Width => Shape[1];

    internal float* F32 => _f32 is null ? null : _f32.Pointer;
    internal ushort* F16 => _f16 is null ? null : _f16.Pointer;

    public void Clear(int fromRow = 0)
    {
        StateBufferChecks.Clear(this, fromRow);
        int start = fromRow * Width;
        if (_f32 is not null) _f32.Span[start..].Clear();
        else _f16!.Span[start..].Clear();
    }

    public void ReadRows(int fromRow, int count, Span<float> destination)
    {
        int needed = StateBufferChecks.ReadRows(this, fromRow, count, destination.Length);
        int start = fromRow * Width;
        if (_f32 is not null) _f32.Span.Slice(start, needed).CopyTo(destination);
        else for (int i = 0; i < needed; i++) destination[i] = HalfTable.ToFloat(_f16!.Array[start + i]);
    }

    public void CopyRows(int srcRow, int dstRow, int count)
    {
        if (!StateBufferChecks.CopyRows(this, srcRow, dstRow, count)) return;
        int length = count * Width;
        if (_f32 is not null) _f32.Span.Slice(srcRow * Width, length).CopyTo(_f32.Span.Slice(dstRow * Width, length));
        else _f16!.Span.Slice(srcRow * Width, length).CopyTo(_f16.Span.Slice(dstRow * Width, length));
    }

    public void Dispose()
    {
        // Managed (pinned) arrays only; nothing to release.
    }
}
