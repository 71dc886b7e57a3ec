using System.Globalization;
using System.Text.Json;
using Hearth.Core;

namespace Hearth.Formats.SafeTensors;

/// <summary>Writes a .safetensors file (F32, F16, BF16, F64, I8..I64), optionally sharded with model.safetensors.index.json.</summary>
public sealed class SafeTensorsWriter
{
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _metadata = [];

    private sealed record PendingTensor(string Name, string DType, Shape Shape, ReadOnlyMemory<byte> Data);

    /// <summary>Adds a tensor; a rank-0 shape is a scalar of one element.</summary>
    public void AddTensor(string name, TensorType type, Shape shape, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == SafeTensorsHeader.MetadataKey) throw new ArgumentException($"'{name}' is reserved for header metadata", nameof(name));
        string dtype = SafeTensorsDType.NameOf(type)
            ?? throw new ArgumentException($"tensor '{name}': safetensors cannot store {type} (supported: {SafeTensorsDType.Supported})", nameof(type));
        long expected = shape.ElementCount * SafeTensorsDType.ElementBytes(type);
        if (data.Length != expected)
            throw new ArgumentException($"tensor '{name}': {dtype} {shape} needs {expected} bytes, got {data.Length}", nameof(data));
        if (!_names.Add(name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        _tensors.Add(new PendingTensor(name, dtype, shape, data));
    }

    /// <summary>Adds an entry to the header's "__metadata__" map (written into every shard).</summary>
    public void AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (_metadata.Exists(kv => kv.Key == key)) throw new ArgumentException($"metadata key '{key}' was already added", nameof(key));
        _metadata.Add(new(key, value));
    }

    /// <summary>Writes a single file.</summary>
    public void Write(string path) => WriteFile(path, _tensors);

    /// <summary>
    /// Writes shards of at most <paramref name="maxShardBytes"/> of tensor data (a larger tensor gets a shard
    /// of its own) into <paramref name="folder"/> plus model.safetensors.index.json. Returns the shard paths.
    /// </summary>
    public IReadOnlyList<string> WriteSharded(string folder, long maxShardBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var shards = new List<List<PendingTensor>> { new() };
        long shardBytes = 0;
        foreach (var tensor in _tensors)
        {
            if (shards[^1].Count > 0 && shardBytes + tensor.Data.Length > maxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add(tensor);
            shardBytes += tensor.Data.Length;
        }

        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        var weightMap = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < shards.Count; i++)
        {
            string fileName = string.Create(CultureInfo.InvariantCulture, $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors");
            string path = System.IO.Path.Combine(folder, fileName);
            WriteFile(path, shards[i]);
            paths.Add(path);
            foreach (var tensor in shards[i]) weightMap.Add(new(tensor.Name, fileName));
        }

        using var stream = new FileStream(System.IO.Path.Combine(folder, IndexFileName), FileMode.Create, FileAccess.Write);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("metadata");
        json.WriteNumber("total_size", _tensors.Sum(t => (long)t.Data.Length));
        json.WriteEndObject();
        json.WriteStartObject("weight_map");
        foreach (var (name, file) in weightMap) json.WriteString(name, file);
        json.WriteEndObject();
        json.WriteEndObject();
        return paths;
    }

    private void WriteFile(string path, List<PendingTensor> tensors)
    {
        byte[] header = BuildHeader(tensors);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var tensor in tensors) stream.Write(tensor.Data.Span);
    }

    private byte[] BuildHeader(List<PendingTensor> tensors)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in _metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var tensor in tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType);
                json.WriteStartArray("shape");
                foreach (int d in tensor.Shape.Dims) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Data.Length;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned, as the reference implementation does.
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
