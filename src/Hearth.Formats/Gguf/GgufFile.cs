using Hearth.Core;
using Hearth.Formats.IO;

namespace Hearth.Formats.Gguf;

/// <summary>A memory-mapped GGUF v2/v3 file: metadata, tensor infos and tensor views (nothing copied).</summary>
public sealed partial class GgufFile : ITensorSource
{
    private readonly MappedFile _mapped;
    private readonly OrderedDictionary<string, GgufValue> _metadata;
    private readonly HostTensor[] _tensors;
    private readonly Dictionary<string, HostTensor> _byName;

    private unsafe GgufFile(MappedFile mapped, GgufHeader header)
    {
        _mapped = mapped;
        Version = header.Version;
        Alignment = header.Alignment;
        DataOffset = header.DataStart;
        _metadata = header.Metadata;
        _tensors = new HostTensor[header.Tensors.Count];
        _byName = new Dictionary<string, HostTensor>(_tensors.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tensors.Length; i++)
        {
            var info = header.Tensors[i];
            var data = (nint)(mapped.Pointer + header.DataStart + info.Offset);
            _tensors[i] = new HostTensor(info.Name, info.Type, info.Shape, data, info.ByteLength, this);
            _byName.Add(info.Name, _tensors[i]);
        }
    }

    /// <summary>Opens and validates a GGUF file. Throws <see cref="ModelFormatException"/> naming the file and problem.</summary>
    public static unsafe GgufFile Open(string path)
    {
        var mapped = MappedFile.Open(path);
        try
        {
            var header = GgufReader.Parse(path, mapped.Pointer, mapped.Length);
            return new GgufFile(mapped, header);
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }

    public string Path => _mapped.Path;
    public uint Version { get; }
    public int Alignment { get; }
    /// <summary>Byte offset in the file where the tensor data section starts.</summary>
    public long DataOffset { get; }
    /// <summary>Metadata in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;
    public IReadOnlyList<HostTensor> Tensors => _tensors;
    public HostTensor? Find(string name) => _byName.GetValueOrDefault(name);
    public void Dispose() => _mapped.Dispose();
}
