using Hearth.Core;
using Hearth.Formats.IO;

namespace Hearth.Formats.Gguf;

/// <summary>One tensor info of a GGUF header; <see cref="Offset"/> is relative to the data section.</summary>
internal sealed record GgufTensorInfo(string Name, TensorType Type, Shape Shape, long Offset, long ByteLength);

/// <summary>A parsed and validated GGUF header.</summary>
internal sealed record GgufHeader(
    uint Version,
    OrderedDictionary<string, GgufValue> Metadata,
    int Alignment,
    IReadOnlyList<GgufTensorInfo> Tensors,
    long DataStart);

/// <summary>
/// Parses a GGUF v2/v3 header (little-endian) with a bounds-checked cursor. Every count read from
/// the file is checked against the bytes left before anything is allocated from it.
/// </summary>
internal static class GgufReader
{
    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian u32
    public const int DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";
    private const int MaxDims = 4;
    private const int MaxArrayNesting = 8;
    // Smallest encodings, used to bound untrusted counts: a KV is key length (8) + type (4) + 1-byte value;
    // a tensor info is name length (8) + n_dims (4) + one ne (8) + type (4) + offset (8).
    private const long MinKvBytes = 13;
    private const long MinTensorInfoBytes = 32;

    public static unsafe GgufHeader Parse(string path, byte* start, long length)
    {
        var cursor = new ByteCursor(path, start, length);

        uint magic = cursor.ReadU32("the GGUF magic");
        if (magic != Magic)
        {
            var b = BitConverter.GetBytes(magic);
            throw cursor.Error($"not a GGUF file: magic bytes are {Convert.ToHexString(b)}, expected 47475546 (\"GGUF\")");
        }
        uint version = cursor.ReadU32("the GGUF version");
        if (version is not (2 or 3))
        {
            string hint = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(version) is 2 or 3
                ? " (big-endian GGUF files are not supported)" : "";
            throw cursor.Error($"unsupported GGUF version {version}{hint}; only versions 2 and 3 are supported");
        }
        ulong tensorCount = cursor.ReadU64("the tensor count");
        ulong kvCount = cursor.ReadU64("the metadata count");
        int kvs = cursor.CheckCount(kvCount, MinKvBytes, "metadata count");
        int tensors = cursor.CheckCount(tensorCount, MinTensorInfoBytes, "tensor count");

        var metadata = new OrderedDictionary<string, GgufValue>(kvs, StringComparer.Ordinal);
        for (int i = 0; i < kvs; i++)
        {
            long keyAt = cursor.Position;
            string key = cursor.ReadString($"metadata key #{i}");
            if (metadata.ContainsKey(key))
                throw cursor.Error($"duplicate metadata key '{key}' at offset {keyAt}");
            var type = (GgufValueType)cursor.ReadU32($"value type of metadata '{key}'");
            metadata.Add(key, ReadValue(cursor, type, $"metadata '{key}'", 0));
        }

        int alignment = ReadAlignment(cursor, metadata);

        var infos = new List<GgufTensorInfo>(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tensors; i++)
        {
            var info = ReadTensorInfo(cursor, i, alignment, length);
            if (!names.Add(info.Name))
                throw cursor.Error($"duplicate tensor name '{info.Name}'");
            infos.Add(info);
        }

        long dataStart = AlignUp(cursor.Position, alignment);
        foreach (var info in infos)
        {
            // Offset and length are each below the file length (checked when read), so this cannot overflow.
            long end = dataStart + info.Offset + info.ByteLength;
            if (end > length)
                throw cursor.Error($"tensor '{info.Name}' data [{dataStart + info.Offset}, {end}) lies past the end of the file ({length} bytes)");
        }
        return new GgufHeader(version, metadata, alignment, infos, dataStart);
    }

    public static long AlignUp(long position, int alignment) => (position + alignment - 1) & ~((long)alignment - 1);

    private static int ReadAlignment(ByteCursor cursor, OrderedDictionary<string, GgufValue> metadata)
    {
        if (!metadata.TryGetValue(AlignmentKey, out var value)) return DefaultAlignment;
        if (!value.IsInteger)
            throw cursor.Error($"metadata '{AlignmentKey}' must be an integer, found {value.Type}");
        long alignment = value.Value is ulong u ? (long)Math.Min(u, long.MaxValue) : value.AsInt64();
        if (alignment <= 0 || alignment > (1 << 30) || (alignment & (alignment - 1)) != 0)
            throw cursor.Error($"metadata '{AlignmentKey}' is {alignment}; it must be a nonzero power of two (at most 2^30)");
        return (int)alignment;
    }

    private static GgufTensorInfo ReadTensorInfo(ByteCursor cursor, int index, int alignment, long fileLength)
    {
        string name = cursor.ReadString($"name of tensor #{index}");
        uint dimCount = cursor.ReadU32($"dimension count of tensor '{name}'");
        if (dimCount is 0 or > MaxDims)
            throw cursor.Error($"tensor '{name}' has {dimCount} dimensions (expected 1 to {MaxDims})");

        // ne[] is innermost first; the Hearth shape is outermost first.
        var dims = new int[dimCount];
        long elements = 1;
        for (int d = 0; d < dimCount; d++)
        {
            ulong ne = cursor.ReadU64($"dimension {d} of tensor '{name}'");
            if (ne == 0 || ne > int.MaxValue)
                throw cursor.Error($"tensor '{name}' has dimension {d} = {(long)ne} (expected 1 to {int.MaxValue})");
            if (elements > long.MaxValue / (long)ne)
                throw cursor.Error($"tensor '{name}' element count overflows (dimensions {FormatNe(dims, d, ne)})");
            elements *= (long)ne;
            dims[dimCount - 1 - d] = (int)ne;
        }

        uint typeId = cursor.ReadU32($"type of tensor '{name}'");
        var type = (TensorType)(int)typeId;
        if (typeId > int.MaxValue || !TensorTypes.IsKnown(type))
            throw cursor.Error($"tensor '{name}' has unknown type id {typeId}");
        var typeInfo = TensorTypes.Info(type);
        int rowLength = dims[^1];
        if (rowLength % typeInfo.BlockSize != 0)
            throw cursor.Error($"tensor '{name}' ({typeInfo.Name}) has rows of {rowLength} elements, not a multiple of the block size {typeInfo.BlockSize}");
        // Elements fit in a long, and blocks are at most 292 bytes for >= 32 elements, so bytes cannot overflow
        // once the element count is below the file length times the block size; check against the file first.
        if (elements / typeInfo.BlockSize > fileLength / typeInfo.BlockBytes)
            throw cursor.Error($"tensor '{name}' {new Shape(dims)} needs more bytes than the whole file ({fileLength} bytes)");
        long byteLength = elements / typeInfo.BlockSize * typeInfo.BlockBytes;

        ulong offset = cursor.ReadU64($"data offset of tensor '{name}'");
        if (offset % (ulong)alignment != 0)
            throw cursor.Error($"tensor '{name}' data offset {offset} is not a multiple of the alignment {alignment}");
        if (offset > (ulong)fileLength)
            throw cursor.Error($"tensor '{name}' data offset {offset} lies past the end of the file ({fileLength} bytes)");
        return new GgufTensorInfo(name, type, new Shape(dims), (long)offset, byteLength);
    }

    private static string FormatNe(int[] dimsSoFar, int d, ulong ne)
    {
        var parts = new List<string>();
        for (int i = 0; i < d; i++) parts.Add(dimsSoFar[dimsSoFar.Length - 1 - i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        parts.Add(ne.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "ne = [" + string.Join(", ", parts) + ", ...]";
    }

    private static GgufValue ReadValue(ByteCursor cursor, GgufValueType type, string what, int depth) => type switch
    {
        GgufValueType.UInt8 => new(type, cursor.ReadU8(what)),
        GgufValueType.Int8 => new(type, cursor.ReadI8(what)),
        GgufValueType.UInt16 => new(type, cursor.ReadU16(what)),
        GgufValueType.Int16 => new(type, cursor.ReadI16(what)),
        GgufValueType.UInt32 => new(type, cursor.ReadU32(what)),
        GgufValueType.Int32 => new(type, cursor.ReadI32(what)),
        GgufValueType.Float32 => new(type, cursor.ReadF32(what)),
        GgufValueType.Bool => new(type, cursor.ReadBool(what)),
        GgufValueType.String => new(type, cursor.ReadString(what)),
        GgufValueType.UInt64 => new(type, cursor.ReadU64(what)),
        GgufValueType.Int64 => new(type, cursor.ReadI64(what)),
        GgufValueType.Float64 => new(type, cursor.ReadF64(what)),
        GgufValueType.Array => ReadArray(cursor, what, depth),
        _ => throw cursor.Error($"{what} has unknown value type id {(uint)type}"),
    };

    private static GgufValue ReadArray(ByteCursor cursor, string what, int depth)
    {
        if (depth >= MaxArrayNesting)
            throw cursor.Error($"{what} nests arrays more than {MaxArrayNesting} deep");
        var elementType = (GgufValueType)cursor.ReadU32($"element type of {what}");
        ulong rawCount = cursor.ReadU64($"element count of {what}");
        long minBytes = elementType switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
            GgufValueType.String => 8,
            GgufValueType.Array => 12,
            _ => throw cursor.Error($"{what} is an array of unknown value type id {(uint)elementType}"),
        };
        int count = cursor.CheckCount(rawCount, minBytes, $"element count of {what}");
        Array values = elementType switch
        {
            GgufValueType.UInt8 => Fill(count, _ => cursor.ReadU8(what)),
            GgufValueType.Int8 => Fill(count, _ => cursor.ReadI8(what)),
            GgufValueType.UInt16 => Fill(count, _ => cursor.ReadU16(what)),
            GgufValueType.Int16 => Fill(count, _ => cursor.ReadI16(what)),
            GgufValueType.UInt32 => Fill(count, _ => cursor.ReadU32(what)),
            GgufValueType.Int32 => Fill(count, _ => cursor.ReadI32(what)),
            GgufValueType.Float32 => Fill(count, _ => cursor.ReadF32(what)),
            GgufValueType.Bool => Fill(count, _ => cursor.ReadBool(what)),
            GgufValueType.String => Fill(count, i => cursor.ReadString($"element {i} of {what}")),
            GgufValueType.UInt64 => Fill(count, _ => cursor.ReadU64(what)),
            GgufValueType.Int64 => Fill(count, _ => cursor.ReadI64(what)),
            GgufValueType.Float64 => Fill(count, _ => cursor.ReadF64(what)),
            _ => Fill(count, i => ReadArray(cursor, $"element {i} of {what}", depth + 1)),
        };
        return new GgufValue(GgufValueType.Array, values, elementType);
    }

    private static T[] Fill<T>(int count, Func<int, T> read)
    {
        var values = new T[count];
        for (int i = 0; i < count; i++) values[i] = read(i);
        return values;
    }
}
