namespace Hearth.Core;

/// <summary>
/// A tensor in host memory in its storage type: usually a view into a memory-mapped model
/// file (nothing copied). The owner of the mapping keeps it alive; <see cref="Owner"/> holds it
/// so a view cannot outlive its bytes.
/// </summary>
public sealed unsafe class HostTensor
{
    public HostTensor(string name, TensorType type, Shape shape, nint data, long byteLength, object? owner)
    {
        Name = name;
        Type = type;
        Shape = shape;
        Data = data;
        ByteLength = byteLength;
        Owner = owner;
    }

    /// <summary>Name in the file it came from (GGUF or Hugging Face naming).</summary>
    public string Name { get; }
    public TensorType Type { get; }
    /// <summary>Row-major shape, outermost first.</summary>
    public Shape Shape { get; }
    public nint Data { get; }
    public long ByteLength { get; }
    public object? Owner { get; }

    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            if (ByteLength > int.MaxValue) throw new InvalidOperationException($"{Name}: tensor of {ByteLength} bytes is too large for a single span; use RowBytes");
            return new ReadOnlySpan<byte>((void*)Data, (int)ByteLength);
        }
    }

    /// <summary>The bytes of row <paramref name="row"/> of a 2-D (or flattened) tensor.</summary>
    public ReadOnlySpan<byte> RowBytes(long row)
    {
        long rowBytes = TensorTypes.RowBytes(Type, Shape.Last);
        long rows = ByteLength / rowBytes;
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, rows);
        return new ReadOnlySpan<byte>((byte*)Data + row * rowBytes, (int)rowBytes);
    }

    public override string ToString() => $"{Name} {TensorTypes.Info(Type).Name} {Shape}";
}
