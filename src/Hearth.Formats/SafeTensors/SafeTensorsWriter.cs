using Hearth.Core;

namespace Hearth.Formats.SafeTensors;

/// <summary>Writes a .safetensors file (F32, F16, BF16), optionally sharded with model.safetensors.index.json.</summary>
public sealed class SafeTensorsWriter
{
    public void AddTensor(string name, TensorType type, Shape shape, ReadOnlyMemory<byte> data) => throw new NotImplementedException();
    public void AddMetadata(string key, string value) => throw new NotImplementedException();
    /// <summary>Writes a single file.</summary>
    public void Write(string path) => throw new NotImplementedException();
    /// <summary>Writes shards of at most <paramref name="maxShardBytes"/> into <paramref name="folder"/> plus model.safetensors.index.json.</summary>
    public void WriteSharded(string folder, long maxShardBytes) => throw new NotImplementedException();
}
