using System.Buffers.Binary;
using System.Text.Json;
using Hearth.Core;

namespace Hearth.Formats.SafeTensors;

/// <summary>One tensor entry of a safetensors header; offsets are relative to the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, TensorType Type, Shape Shape, long Begin, long End);

/// <summary>
/// Parses and validates a safetensors header: u64 little-endian header length, a JSON object of
/// tensor entries plus an optional "__metadata__" string map, then the data section.
/// </summary>
internal static class SafeTensorsHeader
{
    public const long MaxHeaderBytes = 100_000_000;
    public const string MetadataKey = "__metadata__";

    public sealed record Parsed(Dictionary<string, string> Metadata, List<SafeTensorsEntry> Tensors, long DataStart);

    public static unsafe Parsed Parse(string path, byte* start, long fileLength)
    {
        if (fileLength < 8)
            throw new ModelFormatException(path, $"file truncated while reading the header length (needs 8 bytes, file has {fileLength})");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(start, 8));
        if (headerLength < 2)
            throw new ModelFormatException(path, $"header length {headerLength} is too small for a JSON object");
        if (headerLength > MaxHeaderBytes)
            throw new ModelFormatException(path, $"header length {headerLength} exceeds the {MaxHeaderBytes / 1_000_000} MB limit (not a safetensors file?)");
        if (headerLength > (ulong)(fileLength - 8))
            throw new ModelFormatException(path, $"header length {headerLength} exceeds the {fileLength - 8} bytes after the length field (file truncated?)");

        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;
        byte[] json = new ReadOnlySpan<byte>(start + 8, (int)headerLength).ToArray();
        try
        {
            using var document = JsonDocument.Parse(json);
            return Interpret(path, document.RootElement, dataLength, dataStart);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"malformed JSON header (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
        catch (InvalidOperationException e) // e.g. a string that is not valid UTF-8
        {
            throw new ModelFormatException(path, $"malformed JSON header: {e.Message}", e);
        }
    }

    private static Parsed Interpret(string path, JsonElement root, long dataLength, long dataStart)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, $"header must be a JSON object, found {root.ValueKind}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensorsEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                if (sawMetadata) throw new ModelFormatException(path, $"duplicate \"{MetadataKey}\" in header");
                sawMetadata = true;
                ReadMetadata(path, property.Value, metadata);
                continue;
            }
            if (!names.Add(property.Name))
                throw new ModelFormatException(path, $"duplicate tensor name '{property.Name}' in header");
            tensors.Add(ReadEntry(path, property.Name, property.Value, dataLength));
        }

        // Data ranges must not overlap (the reference writer lays them out back to back).
        var byOffset = tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < byOffset.Count; i++)
        {
            if (byOffset[i].Begin < byOffset[i - 1].End)
                throw new ModelFormatException(path, $"tensor '{byOffset[i].Name}' data_offsets [{byOffset[i].Begin}, {byOffset[i].End}] overlap tensor '{byOffset[i - 1].Name}' [{byOffset[i - 1].Begin}, {byOffset[i - 1].End}]");
        }
        return new Parsed(metadata, tensors, dataStart);
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, $"\"{MetadataKey}\" must be an object of strings, found {value.ValueKind}");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new ModelFormatException(path, $"\"{MetadataKey}\" entry '{item.Name}' must be a string, found {item.Value.ValueKind}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new ModelFormatException(path, $"duplicate \"{MetadataKey}\" entry '{item.Name}'");
        }
    }

    private static SafeTensorsEntry ReadEntry(string path, string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, $"tensor '{name}': entry must be an object, found {entry.ValueKind}");

        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new ModelFormatException(path, $"tensor '{name}': missing or non-string \"dtype\"");
        string dtype = dtypeElement.GetString()!;
        if (!SafeTensorsDType.TryParse(dtype, out var type))
            throw new ModelFormatException(path, $"tensor '{name}' has unsupported dtype {dtype} (supported: {SafeTensorsDType.Supported})");

        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException(path, $"tensor '{name}': missing or non-array \"shape\"");
        var dims = new int[shapeElement.GetArrayLength()];
        long elements = 1;
        bool overflow = false;
        int axis = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw new ModelFormatException(path, $"tensor '{name}': shape[{axis}] = {d.GetRawText()} is not a dimension (expected an integer 0 to {int.MaxValue})");
            dims[axis++] = dim;
            if (dim != 0 && elements > long.MaxValue / dim) overflow = true;
            else elements *= dim;
        }

        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw new ModelFormatException(path, $"tensor '{name}': \"data_offsets\" must be an array of two integers");
        if (begin < 0 || end < begin || end > dataLength)
            throw new ModelFormatException(path, $"tensor '{name}': data_offsets [{begin}, {end}] are out of range (data section is {dataLength} bytes)");

        int elementBytes = SafeTensorsDType.ElementBytes(type);
        bool sizeMatches = !overflow && elements <= long.MaxValue / elementBytes && elements * elementBytes == end - begin;
        if (!sizeMatches)
        {
            string expected = overflow || elements > long.MaxValue / elementBytes ? "an overflowing number of" : (elements * elementBytes).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new ModelFormatException(path, $"tensor '{name}' {dtype} [{string.Join(", ", dims)}] needs {expected} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        }
        return new SafeTensorsEntry(name, type, new Shape(dims), begin, end);
    }
}
