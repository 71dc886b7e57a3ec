using System.Text.Json;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Formats;
using Hearth.Formats.Gguf;
using Hearth.Models.Llama;

namespace Hearth.Models;

/// <summary>Which naming a tensor source uses: Hugging Face checkpoints or GGUF files.</summary>
public enum WeightNaming { HuggingFace, Gguf }

/// <summary>
/// One model architecture: how to read its hyper-parameters (HF config.json or GGUF metadata),
/// how its tensors are named, and how one step is built as a graph of ops.
/// </summary>
public interface IArchitecture
{
    /// <summary>Registry name ("llama", "mistral", "qwen2").</summary>
    string Name { get; }
    /// <summary>HF config.json "model_type" values this architecture reads.</summary>
    IReadOnlyList<string> HfModelTypes { get; }
    /// <summary>HF config.json "architectures" class names (used when model_type is absent).</summary>
    IReadOnlyList<string> HfClassNames { get; }
    /// <summary>GGUF "general.architecture" values this architecture reads.</summary>
    IReadOnlyList<string> GgufNames { get; }

    /// <summary>Reads config.json; errors name <paramref name="configPath"/> and the field.</summary>
    ModelConfig ReadHfConfig(JsonElement config, string configPath);

    /// <summary>Reads "{arch}.*" metadata of a GGUF file (<paramref name="ggufArchitecture"/> is general.architecture).</summary>
    ModelConfig ReadGgufConfig(string ggufArchitecture, IReadOnlyDictionary<string, GgufValue> metadata, ITensorSource tensors);

    /// <summary>Finds and checks every expected tensor; errors name the file, tensor and expected vs actual shape.</summary>
    IStepGraphBuilder Bind(ModelConfig config, ITensorSource tensors, WeightNaming naming);
}

/// <summary>A model's weights bound to its config, ready to build step graphs.</summary>
public interface IStepGraphBuilder
{
    /// <summary>Tensors the model uses, in graph order (each once).</summary>
    IReadOnlyList<HostTensor> UsedTensors { get; }

    /// <summary>One step over <paramref name="tokenCount"/> tokens; see <see cref="Model.BuildStepGraph"/>.</summary>
    ComputeGraph Build(int tokenCount, KvCacheBuffers cache, bool allLogits);

    /// <summary>One batched step over a paged cache; see <see cref="Model.BuildBatchStepGraph"/>.</summary>
    ComputeGraph BuildBatch(BatchStepShape shape, KvCacheBuffers cache);
}

/// <summary>Architectures by name. Built-in: llama (Llama 2/3/3.1, Mistral GGUFs), mistral, qwen2.</summary>
public static class ArchitectureRegistry
{
    private static readonly List<IArchitecture> Architectures = [.. LlamaArchitecture.BuiltIn()];
    private static readonly Lock Gate = new();

    /// <summary>Adds an architecture; a later registration with the same name replaces the earlier one.</summary>
    public static void Register(IArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        lock (Gate)
        {
            Architectures.RemoveAll(a => a.Name == architecture.Name);
            Architectures.Add(architecture);
        }
    }

    public static IReadOnlyList<string> Names
    {
        get { lock (Gate) return [.. Architectures.Select(a => a.Name)]; }
    }

    public static IArchitecture Get(string name) => Find(a => a.Name == name)
        ?? throw new HearthException($"unknown architecture '{name}' (known: {KnownList()})");

    /// <summary>The architecture for a HF config.json: by model_type, else by the first known "architectures" class.</summary>
    public static IArchitecture ForHuggingFace(string configPath, string? modelType, IReadOnlyList<string> classNames)
    {
        if (modelType is not null && Find(a => a.HfModelTypes.Contains(modelType, StringComparer.Ordinal)) is { } byType) return byType;
        foreach (var cls in classNames)
        {
            if (Find(a => a.HfClassNames.Contains(cls, StringComparer.Ordinal)) is { } byClass) return byClass;
        }
        string what = modelType is not null ? $"model_type '{modelType}'"
            : classNames.Count > 0 ? $"architectures [{string.Join(", ", classNames)}]"
            : "no model_type or architectures field";
        throw new ModelFormatException(configPath, $"unsupported architecture: {what} (known: {KnownList()})");
    }

    /// <summary>The architecture for a GGUF file's general.architecture.</summary>
    public static IArchitecture ForGguf(string path, string ggufArchitecture) =>
        Find(a => a.GgufNames.Contains(ggufArchitecture, StringComparer.Ordinal))
        ?? throw new ModelFormatException(path, $"unsupported architecture '{ggufArchitecture}' (known: {KnownList()})");

    private static IArchitecture? Find(Func<IArchitecture, bool> predicate)
    {
        lock (Gate) return Architectures.FirstOrDefault(predicate);
    }

    private static string KnownList() => string.Join(", ", Names);
}
