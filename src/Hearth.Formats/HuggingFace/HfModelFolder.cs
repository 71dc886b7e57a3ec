using System.Text.Json;
using Hearth.Core;
using Hearth.Formats.SafeTensors;

namespace Hearth.Formats.HuggingFace;

/// <summary>
/// A Hugging Face model folder: config.json, optional generation_config.json, tokenizer.json,
/// tokenizer_config.json, and weights in model.safetensors or shards listed by
/// model.safetensors.index.json. Tensors of all shards are exposed as one source.
/// </summary>
public sealed class HfModelFolder : ITensorSource
{
    public const string ConfigFileName = "config.json";
    public const string GenerationConfigFileName = "generation_config.json";
    public const string TokenizerFileName = "tokenizer.json";
    public const string TokenizerConfigFileName = "tokenizer_config.json";
    public const string SingleWeightsFileName = "model.safetensors";

    private readonly SafeTensorsFile[] _shards;
    private readonly HostTensor[] _tensors;
    private readonly Dictionary<string, HostTensor> _byName;

    private HfModelFolder(string folder, JsonElement config, JsonElement? generationConfig, SafeTensorsFile[] shards)
    {
        Path = folder;
        Config = config;
        GenerationConfig = generationConfig;
        TokenizerJsonPath = ExistingFile(folder, TokenizerFileName);
        TokenizerConfigPath = ExistingFile(folder, TokenizerConfigFileName);
        _shards = shards;
        _byName = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        var tensors = new List<HostTensor>();
        var ownerOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            foreach (var tensor in shard.Tensors)
            {
                if (!_byName.TryAdd(tensor.Name, tensor))
                    throw new ModelFormatException(folder, $"tensor '{tensor.Name}' appears in both {ownerOf[tensor.Name]} and {System.IO.Path.GetFileName(shard.Path)}");
                ownerOf[tensor.Name] = System.IO.Path.GetFileName(shard.Path);
                tensors.Add(tensor);
            }
        }
        _tensors = [.. tensors];
    }

    /// <summary>Opens a model folder. Throws <see cref="ModelFormatException"/> naming the file and problem.</summary>
    public static HfModelFolder Open(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "model folder not found");
        string configPath = System.IO.Path.Combine(folder, ConfigFileName);
        if (!File.Exists(configPath))
            throw new ModelFormatException(configPath, "config.json is missing (a Hugging Face model folder needs one)");
        var config = ReadJson(configPath);
        if (config.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(configPath, $"expected a JSON object, found {config.ValueKind}");
        string? generationPath = ExistingFile(folder, GenerationConfigFileName);
        JsonElement? generationConfig = generationPath is null ? null : ReadJson(generationPath);

        var shards = OpenWeights(folder);
        try
        {
            return new HfModelFolder(folder, config, generationConfig, shards);
        }
        catch
        {
            foreach (var shard in shards) shard.Dispose();
            throw;
        }
    }

    /// <summary>True if the folder looks like a HF model folder (has config.json).</summary>
    public static bool IsModelFolder(string path) =>
        Directory.Exists(path) && File.Exists(System.IO.Path.Combine(path, ConfigFileName));

    public string Path { get; }
    /// <summary>Parsed config.json (required).</summary>
    public JsonElement Config { get; }
    /// <summary>Parsed generation_config.json, if present.</summary>
    public JsonElement? GenerationConfig { get; }
    /// <summary>Path of tokenizer.json, if present.</summary>
    public string? TokenizerJsonPath { get; }
    /// <summary>Path of tokenizer_config.json, if present.</summary>
    public string? TokenizerConfigPath { get; }
    /// <summary>The weight files, in index order (one for model.safetensors).</summary>
    public IReadOnlyList<SafeTensorsFile> Shards => _shards;
    public IReadOnlyList<HostTensor> Tensors => _tensors;
    public HostTensor? Find(string name) => _byName.GetValueOrDefault(name);

    public void Dispose()
    {
        foreach (var shard in _shards) shard.Dispose();
    }

    /// <summary>Parses a JSON file; malformed JSON becomes a <see cref="ModelFormatException"/> with line and position.</summary>
    public static JsonElement ReadJson(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, $"cannot read the file ({e.Message})", e);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"malformed JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message}", e);
        }
    }

    private static string? ExistingFile(string folder, string name)
    {
        string path = System.IO.Path.Combine(folder, name);
        return File.Exists(path) ? path : null;
    }

    private static SafeTensorsFile[] OpenWeights(string folder)
    {
        string indexPath = System.IO.Path.Combine(folder, SafeTensorsWriter.IndexFileName);
        if (File.Exists(indexPath)) return OpenShards(folder, indexPath);
        string singlePath = System.IO.Path.Combine(folder, SingleWeightsFileName);
        if (File.Exists(singlePath)) return [SafeTensorsFile.Open(singlePath)];
        throw new ModelFormatException(folder, $"no weights found: expected {SingleWeightsFileName} or {SafeTensorsWriter.IndexFileName}");
    }

    private static SafeTensorsFile[] OpenShards(string folder, string indexPath)
    {
        var tensorsByFile = ReadWeightMap(indexPath);
        var shards = new List<SafeTensorsFile>();
        try
        {
            foreach (var (file, names) in tensorsByFile)
            {
                string shardPath = System.IO.Path.Combine(folder, file);
                if (!File.Exists(shardPath))
                    throw new ModelFormatException(indexPath, $"shard '{file}' (holding tensor '{names[0]}') is missing");
                var shard = SafeTensorsFile.Open(shardPath);
                shards.Add(shard);
                foreach (string name in names)
                {
                    if (shard.Find(name) is null)
                        throw new ModelFormatException(shardPath, $"tensor '{name}' is listed in {SafeTensorsWriter.IndexFileName} but missing from this shard");
                }
            }
            return [.. shards];
        }
        catch
        {
            foreach (var shard in shards) shard.Dispose();
            throw;
        }
    }

    /// <summary>weight_map grouped by shard file, in order of first appearance.</summary>
    private static List<(string File, List<string> Names)> ReadWeightMap(string indexPath)
    {
        var root = ReadJson(indexPath);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(indexPath, "expected an object with a \"weight_map\" object");
        var groups = new List<(string File, List<string> Names)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ModelFormatException(indexPath, $"weight_map entry '{entry.Name}' must be a file name string, found {entry.Value.ValueKind}");
            if (!seen.Add(entry.Name))
                throw new ModelFormatException(indexPath, $"tensor '{entry.Name}' is listed twice in weight_map");
            string file = entry.Value.GetString()!;
            // Shards must sit in the folder itself: an index must not be able to point anywhere else.
            if (file.Length == 0 || file != System.IO.Path.GetFileName(file) || file is "." or "..")
                throw new ModelFormatException(indexPath, $"weight_map entry '{entry.Name}' names '{file}', which is not a plain file name in the model folder");
            int at = groups.FindIndex(g => g.File == file);
            if (at < 0) groups.Add((file, [entry.Name]));
            else groups[at].Names.Add(entry.Name);
        }
        if (groups.Count == 0) throw new ModelFormatException(indexPath, "weight_map is empty");
        return groups;
    }
}
