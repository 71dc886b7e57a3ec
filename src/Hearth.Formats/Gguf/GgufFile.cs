using Hearth.Core;

namespace Hearth.Formats.Gguf;

/// <summary>A memory-mapped GGUF v2/v3 file: metadata, tensor infos and tensor views (nothing copied).</summary>
public sealed class GgufFile : ITensorSource
{
    private GgufFile() => throw new NotImplementedException();

    /// <summary>Opens and validates a GGUF file. Throws <see cref="ModelFormatException"/> naming the file and problem.</summary>
    public static GgufFile Open(string path) => throw new NotImplementedException();

    public string Path => throw new NotImplementedException();
    public uint Version => throw new NotImplementedException();
    public int Alignment => throw new NotImplementedException();
    /// <summary>Metadata in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata => throw new NotImplementedException();
    public IReadOnlyList<HostTensor> Tensors => throw new NotImplementedException();
    public HostTensor? Find(string name) => throw new NotImplementedException();
    public void Dispose() => throw new NotImplementedException();
}
