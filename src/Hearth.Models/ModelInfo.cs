using Hearth.Core;

namespace Hearth.Models;

/// <summary>One tensor as `hearth info` lists it.</summary>
public sealed record TensorInfo(string Name, TensorType Type, Shape Shape, long ByteLength);

/// <summary>A model's description: architecture, hyper-parameters, tokenizer kind, chat template, tensors and raw metadata.</summary>
public sealed record ModelInfo
{
    public required string Path { get; init; }
    /// <summary>"gguf" or "hf".</summary>
    public required string Format { get; init; }
    public required string Architecture { get; init; }
    public required ModelConfig Config { get; init; }
    /// <summary>GGUF tokenizer.ggml.model ("llama", "gpt2") or tokenizer.json model.type ("BPE", ...); "none" if the model has no tokenizer.</summary>
    public required string TokenizerKind { get; init; }
    public string? ChatTemplate { get; init; }
    public required IReadOnlyList<TensorInfo> Tensors { get; init; }
    /// <summary>GGUF metadata (arrays summarised) or top-level config.json fields, in file order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; }

    public long TotalTensorBytes => Tensors.Sum(t => t.ByteLength);

    /// <summary>Loads the model at <paramref name="path"/> (checking it fully) and describes it.</summary>
    public static ModelInfo Read(string path)
    {
        using var model = Model.Load(path);
        return model.Info;
    }

    internal static ModelInfo Create(Model model, string tokenizerKind, IReadOnlyList<KeyValuePair<string, string>> metadata) => new()
    {
        Path = model.Path,
        Format = model.Format,
        Architecture = model.Architecture.Name,
        Config = model.Config,
        TokenizerKind = tokenizerKind,
        ChatTemplate = model.ChatTemplateSource,
        Tensors = [.. model.Weights.Tensors.Select(t => new TensorInfo(t.Name, t.Type, t.Shape, t.ByteLength))],
        Metadata = metadata,
    };
}
