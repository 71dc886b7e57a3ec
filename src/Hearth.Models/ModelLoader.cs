using System.Text.Json;
using Hearth.Core;
using Hearth.Formats;
using Hearth.Formats.Gguf;
using Hearth.Formats.HuggingFace;
using Hearth.Tokenizers;

namespace Hearth.Models;

/// <summary>Turns a path into a <see cref="Model"/>: a directory is a HF folder, a file is GGUF.</summary>
internal static class ModelLoader
{
    public static Model Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) return LoadHuggingFace(path);
        if (File.Exists(path)) return LoadGguf(path);
        throw new HearthException($"model not found: {path}");
    }

    private static Model LoadGguf(string path)
    {
        var file = GgufFile.Open(path);
        try
        {
            var meta = file.Metadata;
            var fields = new GgufFields(meta, path);
            string archName = fields.OptionalString("general.architecture") ?? throw fields.Missing("general.architecture");
            var arch = ArchitectureRegistry.ForGguf(path, archName);
            var config = arch.ReadGgufConfig(archName, meta, file);
            var builder = arch.Bind(config, file, WeightNaming.Gguf);
            var spec = GgufTokenizerMetadata.Read(meta, path);
            int[] eos = spec is null ? [] : [.. new[] { spec.EosId }.OfType<int>().Concat(spec.ExtraEosIds)];
            return new Model(new ModelParts(
                path, "gguf", arch, config, file, builder,
                CreateTokenizer: () => NamingFile(path, () => TokenizerLoader.FromGguf(spec ?? throw GgufTokenizerMetadata.NoTokenizer(path))),
                ChatTemplateSource: GgufTokenizerMetadata.ChatTemplate(meta, path),
                FileEosIds: eos,
                TokenizerKind: () => spec?.Model ?? "none",
                Metadata: [.. meta.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToString()))]));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static Model LoadHuggingFace(string folderPath)
    {
        if (!HfModelFolder.IsModelFolder(folderPath))
            throw new ModelFormatException(folderPath, "not a model folder (no config.json); pass a HF model folder or a .gguf file");
        var folder = HfModelFolder.Open(folderPath);
        try
        {
            string configPath = System.IO.Path.Combine(folderPath, "config.json");
            var json = folder.Config;
            var fields = JsonFields.Of(json, configPath);
            var arch = ArchitectureRegistry.ForHuggingFace(configPath, fields.OptionalString("model_type"), ArchitectureClasses(fields));
            var config = arch.ReadHfConfig(json, configPath);
            var builder = arch.Bind(config, folder, WeightNaming.HuggingFace);

            var eos = fields.IntOrIntList("eos_token_id").ToList();
            if (folder.GenerationConfig is { } generation)
                eos.AddRange(JsonFields.Of(generation, System.IO.Path.Combine(folderPath, "generation_config.json")).IntOrIntList("eos_token_id"));

            string? tokenizerJson = folder.TokenizerJsonPath;
            return new Model(new ModelParts(
                folderPath, "hf", arch, config, folder, builder,
                CreateTokenizer: () => TokenizerLoader.FromHuggingFace(
                    tokenizerJson ?? throw new ModelFormatException(folderPath, "no tokenizer.json in the model folder"),
                    folder.TokenizerConfigPath),
                ChatTemplateSource: HfChatTemplate.Read(folderPath, folder.TokenizerConfigPath),
                FileEosIds: [.. eos.Distinct()],
                TokenizerKind: () => HfTokenizerKind(tokenizerJson),
                Metadata: [.. json.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.ToString()))]));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    // The GGUF tokenizer builder sees metadata, not the file: its errors name the key, so add the file.
    private static ITokenizer NamingFile(string path, Func<ITokenizer> create)
    {
        try
        {
            return create();
        }
        catch (HearthException e) when (e is not ModelFormatException { Path: var p } || p != path)
        {
            throw new ModelFormatException(path, e.Message, e);
        }
    }

    private static string[] ArchitectureClasses(JsonFields config)
    {
        if (config.Get("architectures") is not { } value) return [];
        if (value.ValueKind != JsonValueKind.Array) throw config.WrongType("architectures", "a list of strings", value);
        var names = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw config.WrongType("architectures", "a list of strings", item);
            names.Add(item.GetString()!);
        }
        return [.. names];
    }

    // tokenizer.json "model": {"type": "BPE", ...}; the kind is informational, so an unreadable file says so instead of failing.
    private static string HfTokenizerKind(string? tokenizerJsonPath)
    {
        if (tokenizerJsonPath is null) return "none";
        try
        {
            using var stream = File.OpenRead(tokenizerJsonPath);
            using var doc = JsonDocument.Parse(stream);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.Object
                && model.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()! : "unknown";
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    }
}
