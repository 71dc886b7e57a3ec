using Hearth.Core;

namespace Hearth.Formats.Gguf;

/// <summary>Writes a GGUF v3 file: metadata in insertion order, tensors aligned to general.alignment (default 32).</summary>
public sealed class GgufWriter
{
    public void Add(string key, GgufValue value) => throw new NotImplementedException();
    /// <summary>Adds a tensor; <paramref name="shape"/> is row-major (outermost first), data is in the storage type.</summary>
    public void AddTensor(string name, TensorType type, Shape shape, ReadOnlyMemory<byte> data) => throw new NotImplementedException();
    public void Write(string path) => throw new NotImplementedException();
}
