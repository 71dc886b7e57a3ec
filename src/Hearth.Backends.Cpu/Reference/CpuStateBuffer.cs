using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference;

/// <summary>
/// Persistent state (one layer's K or V cache) in managed memory: [capacity, width], stored as F32
/// or F16 (each element rounded to nearest-even half on write), zero-filled.
/// </summary>
public sealed class CpuStateBuffer : IStateBuffer
{
    private readonly float[]? _f32;  // [capacity * width] when Type is F32
    private readonly Half[]? _f16;   // [capacity * width] when Type is F16

    public CpuStateBuffer(string name, TensorType type, Shape shape)
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
            case TensorType.F32: _f32 = new float[count]; break;
            case TensorType.F16: _f16 = new Half[count]; break;
            default: throw new HearthException($"state buffer '{name}': type {TensorTypes.Info(type).Name} is not supported by cpu-ref (use F32 or F16)");
        }
    }

    public string Name { get; }
    public TensorType Type { get; }
    public Shape Shape { get; }
    public int Capacity => Shape[0];
    public int Width => Shape[1];

    /// <summary>Element i (row-major) as F32.</summary>
    internal float Get(long index) => _f32 is not null ? _f32[index] : (float)_f16![index];

    /// <summary>Stores value at element i, converting to the storage type.</summary>
    internal void Set(long index, float value)
    {
        if (_f32 is not null) _f32[index] = value;
        else _f16![index] = (Half)value;
    }

    public void Clear(int fromRow = 0)
    {
        StateBufferChecks.Clear(this, fromRow);
        int start = fromRow * Width;
        if (_f32 is not null) Array.Clear(_f32, start, _f32.Length - start);
        else Array.Clear(_f16!, start, _f16!.Length - start);
    }

    public void ReadRows(int fromRow, int count, Span<float> destination)
    {
        int needed = StateBufferChecks.ReadRows(this, fromRow, count, destination.Length);
        long start = (long)fromRow * Width;
        for (int i = 0; i < needed; i++) destination[i] = Get(start + i);
    }

    public void CopyRows(int srcRow, int dstRow, int count)
    {
        if (!StateBufferChecks.CopyRows(this, srcRow, dstRow, count)) return;
        int length = count * Width;
        if (_f32 is not null) Array.Copy(_f32, (long)srcRow * Width, _f32, (long)dstRow * Width, length);
        else Array.Copy(_f16!, (long)srcRow * Width, _f16!, (long)dstRow * Width, length);
    }

    public void Dispose()
    {
        // Managed arrays only; nothing to release.
    }
}
