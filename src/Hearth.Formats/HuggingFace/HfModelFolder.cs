using System.Text.Json;
using Hearth.Core;

namespace Hearth.Formats.HuggingFace;

/// <summary>
/// A Hugging Face model folder: config.json, optional generation_config.json, tokenizer.json,
/// tokenizer_config.json, and weights in model.safetensors or shards listed by
/// model.safetensors.index.json. Tensors of all shards are exposed as one source.
/// </summary>
public sealed class HfModelFolder : ITensorSource
{
    private HfModelFolder() => throw new NotImplementedException();
    public static HfModelFolder Open(string folder) => throw new NotImplementedException();
    /// <summary>True if the folder looks like a HF model folder (has config.json).</summary>
    public static bool IsModelFolder(string path) => throw new NotImplementedException();
    public string Path => throw new NotImplementedException();
    /// <summary>Parsed config.json (required).</summary>
    public JsonElement Config => throw new NotImplementedException();
    /// <summary>Parsed generation_config.json, if present.</summary>
    public JsonElement? GenerationConfig => throw new NotImplementedException();
    /// <summary>Path of tokenizer.json, if present.</summary>
    public string? TokenizerJsonPath => throw new NotImplementedException();
    /// <summary>Path of tokenizer_config.json, if present.</summary>
    public string? TokenizerConfigPath => throw new NotImplementedException();
    public IReadOnlyList<HostTensor> Tensors => throw new NotImplementedException();
    public HostTensor? Find(string name) => throw new NotImplementedException();
    public void Dispose() => throw new NotImplementedException();
}
