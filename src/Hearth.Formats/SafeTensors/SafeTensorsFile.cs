using Hearth.Core;
using Hearth.Formats.IO;

namespace Hearth.Formats.SafeTensors;

/// <summary>One memory-mapped .safetensors file (F32, F16, BF16 and the other dtypes mapped to <see cref="TensorType"/>).</summary>
public sealed class SafeTensorsFile : ITensorSource
{
    private readonly MappedFile _mapped;
    private readonly HostTensor[] _tensors;
    private readonly Dictionary<string, HostTensor> _byName;

    private unsafe SafeTensorsFile(MappedFile mapped, SafeTensorsHeader.Parsed header)
    {
        _mapped = mapped;
        HeaderMetadata = header.Metadata;
        _tensors = new HostTensor[header.Tensors.Count];
        _byName = new Dictionary<string, HostTensor>(_tensors.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tensors.Length; i++)
        {
            var entry = header.Tensors[i];
            var data = (nint)(mapped.Pointer + header.DataStart + entry.Begin);
            _tensors[i] = new HostTensor(entry.Name, entry.Type, entry.Shape, data, entry.End - entry.Begin, this);
            _byName.Add(entry.Name, _tensors[i]);
        }
    }

    /// <summary>Opens and validates a safetensors file. Throws <see cref="ModelFormatException"/> naming the file and problem.</summary>
    public static unsafe SafeTensorsFile Open(string path)
    {
        var mapped = MappedFile.Open(path);
        try
        {
            return new SafeTensorsFile(mapped, SafeTensorsHeader.Parse(path, mapped.Pointer, mapped.Length));
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }

    public string Path => _mapped.Path;
    /// <summary>The "__metadata__" string map of the header (empty if absent).</summary>
    public IReadOnlyDictionary<string, string> HeaderMetadata { get; }
    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<HostTensor> Tensors => _tensors;
    public HostTensor? Find(string name) => _byName.GetValueOrDefault(name);
    public void Dispose() => _mapped.Dispose();
}
