using System.Text;
using Hearth.Core;

namespace Hearth.Formats.Gguf;

/// <summary>Writes a GGUF v3 file: metadata in insertion order, tensors aligned to general.alignment (default 32).</summary>
public sealed class GgufWriter
{
    private readonly OrderedDictionary<string, GgufValue> _metadata = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    private sealed record PendingTensor(string Name, TensorType Type, Shape Shape, long ByteLength, ReadOnlyMemory<byte> Data, Action<Stream>? WriteData);

    /// <summary>Adds a metadata value; the boxed CLR value must match its <see cref="GgufValueType"/>.</summary>
    public void Add(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckValue(key, value, 0);
        if (key == GgufReader.AlignmentKey) AlignmentOf(value);
        if (!_metadata.TryAdd(key, value)) throw new ArgumentException($"metadata key '{key}' was already added", nameof(key));
    }

    /// <summary>
    /// Adds a tensor; <paramref name="shape"/> is row-major (outermost first), data is in the storage type.
    /// A rank-0 shape is written as a 1-D tensor of one element (GGUF has no scalars).
    /// </summary>
    public void AddTensor(string name, TensorType type, Shape shape, ReadOnlyMemory<byte> data)
    {
        long expected = CheckTensor(name, type, shape);
        if (data.Length != expected)
            throw new ArgumentException($"tensor '{name}': {TensorTypes.Info(type).Name} {shape} needs {expected} bytes, got {data.Length}", nameof(data));
        _tensorNames.Add(name);
        _tensors.Add(new PendingTensor(name, type, shape.Rank == 0 ? new Shape(1) : shape, expected, data, null));
    }

    /// <summary>
    /// Adds a tensor whose data is produced while the file is written: <paramref name="writeData"/> gets the
    /// output stream when this tensor's turn comes and must write exactly its byte size (from type and shape).
    /// Lets a converter stream tensors larger than memory, one at a time.
    /// </summary>
    public void AddTensor(string name, TensorType type, Shape shape, Action<Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(writeData);
        long expected = CheckTensor(name, type, shape);
        _tensorNames.Add(name);
        _tensors.Add(new PendingTensor(name, type, shape.Rank == 0 ? new Shape(1) : shape, expected, default, writeData));
    }

    // Validates name, type and shape; returns the data size in bytes.
    private long CheckTensor(string name, TensorType type, Shape shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!TensorTypes.IsKnown(type)) throw new ArgumentException($"tensor '{name}': unknown tensor type id {(int)type}", nameof(type));
        if (shape.Rank > 4) throw new ArgumentException($"tensor '{name}': GGUF tensors have at most 4 dimensions, got {shape}", nameof(shape));
        foreach (int d in shape.Dims)
            if (d <= 0) throw new ArgumentException($"tensor '{name}': GGUF dimensions must be positive, got {shape}", nameof(shape));
        var info = TensorTypes.Info(type);
        int rowLength = shape.Rank == 0 ? 1 : shape.Last;
        if (rowLength % info.BlockSize != 0)
            throw new ArgumentException($"tensor '{name}': {info.Name} rows of {rowLength} elements are not a multiple of the block size {info.BlockSize}", nameof(shape));
        if (_tensorNames.Contains(name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        return TensorTypes.TensorBytes(type, shape);
    }

    public void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(stream);
    }

    public void Write(Stream stream)
    {
        int alignment = _metadata.TryGetValue(GgufReader.AlignmentKey, out var a) ? AlignmentOf(a) : GgufReader.DefaultAlignment;
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true); // BinaryWriter is always little-endian
        writer.Write(GgufReader.Magic);
        writer.Write(3u);
        writer.Write((ulong)_tensors.Count);
        writer.Write((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(writer, key);
            writer.Write((uint)value.Type);
            WriteValue(writer, value);
        }

        long offset = 0;
        foreach (var tensor in _tensors)
        {
            WriteString(writer, tensor.Name);
            writer.Write((uint)tensor.Shape.Rank);
            for (int d = tensor.Shape.Rank - 1; d >= 0; d--) writer.Write((ulong)tensor.Shape[d]); // ne[] is innermost first
            writer.Write((uint)tensor.Type);
            writer.Write((ulong)offset);
            offset = GgufReader.AlignUp(offset + tensor.ByteLength, alignment);
        }

        writer.Flush();
        long start = stream.Position;
        Pad(writer, GgufReader.AlignUp(start, alignment) - start);
        foreach (var tensor in _tensors)
        {
            if (tensor.WriteData is { } writeData)
            {
                writer.Flush();
                long before = stream.Position;
                writeData(stream);
                if (stream.Position - before != tensor.ByteLength)
                    throw new InvalidOperationException($"tensor '{tensor.Name}': the data writer wrote {stream.Position - before} bytes, expected {tensor.ByteLength}");
            }
            else
            {
                writer.Write(tensor.Data.Span);
            }
            // The last tensor needs no padding after it, but pad anyway so every tensor's extent is aligned.
            Pad(writer, GgufReader.AlignUp(tensor.ByteLength, alignment) - tensor.ByteLength);
        }
        writer.Flush();
    }

    private static void Pad(BinaryWriter writer, long count)
    {
        for (long i = 0; i < count; i++) writer.Write((byte)0);
    }

    private static void WriteString(BinaryWriter writer, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteValue(BinaryWriter writer, GgufValue value)
    {
        if (value.Type == GgufValueType.Array)
        {
            var array = (Array)value.Value;
            writer.Write((uint)value.ArrayElementType);
            writer.Write((ulong)array.Length);
            foreach (object? element in array)
            {
                if (element is GgufValue nested) WriteValue(writer, nested);
                else WriteScalar(writer, value.ArrayElementType, element!);
            }
            return;
        }
        WriteScalar(writer, value.Type, value.Value);
    }

    private static void WriteScalar(BinaryWriter writer, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: writer.Write((byte)value); break;
            case GgufValueType.Int8: writer.Write((sbyte)value); break;
            case GgufValueType.UInt16: writer.Write((ushort)value); break;
            case GgufValueType.Int16: writer.Write((short)value); break;
            case GgufValueType.UInt32: writer.Write((uint)value); break;
            case GgufValueType.Int32: writer.Write((int)value); break;
            case GgufValueType.Float32: writer.Write((float)value); break;
            case GgufValueType.Bool: writer.Write((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(writer, (string)value); break;
            case GgufValueType.UInt64: writer.Write((ulong)value); break;
            case GgufValueType.Int64: writer.Write((long)value); break;
            case GgufValueType.Float64: writer.Write((double)value); break;
            default: throw new InvalidOperationException($"GGUF value type {type} is not a scalar");
        }
    }

    private static Type? ClrType(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => typeof(byte),
        GgufValueType.Int8 => typeof(sbyte),
        GgufValueType.UInt16 => typeof(ushort),
        GgufValueType.Int16 => typeof(short),
        GgufValueType.UInt32 => typeof(uint),
        GgufValueType.Int32 => typeof(int),
        GgufValueType.Float32 => typeof(float),
        GgufValueType.Bool => typeof(bool),
        GgufValueType.String => typeof(string),
        GgufValueType.UInt64 => typeof(ulong),
        GgufValueType.Int64 => typeof(long),
        GgufValueType.Float64 => typeof(double),
        GgufValueType.Array => typeof(GgufValue),
        _ => null,
    };

    // Checked at Add time so a wrong boxed type fails with the key's name instead of an InvalidCastException in Write.
    private static void CheckValue(string key, GgufValue value, int depth)
    {
        if (value.Type != GgufValueType.Array)
        {
            var expected = ClrType(value.Type) ?? throw new ArgumentException($"metadata '{key}': unknown value type {value.Type}", nameof(value));
            if (value.Value?.GetType() != expected)
                throw new ArgumentException($"metadata '{key}': a {value.Type} value must be a {expected.Name}, got {value.Value?.GetType().Name ?? "null"}", nameof(value));
            return;
        }
        if (depth >= 8) throw new ArgumentException($"metadata '{key}': arrays nest too deeply", nameof(value));
        var elementType = ClrType(value.ArrayElementType) ?? throw new ArgumentException($"metadata '{key}': unknown array element type {value.ArrayElementType}", nameof(value));
        if (value.Value is not Array array || array.Rank != 1 || array.GetType().GetElementType() != elementType)
            throw new ArgumentException($"metadata '{key}': an array of {value.ArrayElementType} must be a {elementType.Name}[], got {value.Value?.GetType().Name ?? "null"}", nameof(value));
        if (value.ArrayElementType == GgufValueType.String)
        {
            foreach (string? s in (string?[])array)
                if (s is null) throw new ArgumentException($"metadata '{key}': string array holds null", nameof(value));
        }
        if (value.ArrayElementType == GgufValueType.Array)
        {
            foreach (GgufValue? nested in (GgufValue?[])array)
            {
                if (nested is null || nested.Type != GgufValueType.Array)
                    throw new ArgumentException($"metadata '{key}': a nested array element must be an array GgufValue", nameof(value));
                CheckValue(key, nested, depth + 1);
            }
        }
    }

    private static int AlignmentOf(GgufValue value)
    {
        long alignment = value.IsInteger && value.Value is not ulong ? value.AsInt64() : value.Value is ulong u && u <= int.MaxValue ? (long)u : -1;
        if (alignment <= 0 || alignment > (1 << 30) || (alignment & (alignment - 1)) != 0)
            throw new ArgumentException($"metadata '{GgufReader.AlignmentKey}' must be a nonzero power of two integer, got {value}", nameof(value));
        return (int)alignment;
    }
}
