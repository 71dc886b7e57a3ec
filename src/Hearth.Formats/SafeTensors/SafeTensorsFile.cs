using Hearth.Core;

namespace Hearth.Formats.SafeTensors;

/// <summary>One memory-mapped .safetensors file (F32, F16, BF16 and the other dtypes mapped to <see cref="TensorType"/>).</summary>
public sealed class SafeTensorsFile : ITensorSource
{
    private SafeTensorsFile() => throw new NotImplementedException();
    public static SafeTensorsFile Open(string path) => throw new NotImplementedException();
    public string Path => throw new NotImplementedException();
    /// <summary>The "__metadata__" string map of the header (empty if absent).</summary>
    public IReadOnlyDictionary<string, string> HeaderMetadata => throw new NotImplementedException();
    public IReadOnlyList<HostTensor> Tensors => throw new NotImplementedException();
    public HostTensor? Find(string name) => throw new NotImplementedException();
    public void Dispose() => throw new NotImplementedException();
}
