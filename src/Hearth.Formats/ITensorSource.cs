using Hearth.Core;

namespace Hearth.Formats;

/// <summary>
/// A set of named tensors in host memory (a GGUF file, one or more safetensors shards).
/// Tensor data are views into memory-mapped files; disposing the source unmaps them.
/// </summary>
public interface ITensorSource : IDisposable
{
    /// <summary>Path shown in error messages (file or folder).</summary>
    string Path { get; }

    IReadOnlyList<HostTensor> Tensors { get; }

    /// <summary>The tensor with this exact name, or null.</summary>
    HostTensor? Find(string name);
}
