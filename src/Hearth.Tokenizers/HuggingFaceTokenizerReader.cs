using System.Text.Json;
using Hearth.Tokenizers.Bpe;
using Hearth.Tokenizers.Pipeline;

namespace Hearth.Tokenizers;

/// <summary>Reads tokenizer.json (+ tokenizer_config.json) into a <see cref="BpeTokenizer"/>.</summary>
internal static class HuggingFaceTokenizerReader
{
    private static readonly string[] KnownEndTokens = ["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>", "<|im_end|>", "<|endoftext|>", "</s>"];

    public static BpeTokenizer Read(string tokenizerJsonPath, string? configPath)
    {
        using var document = Parse(tokenizerJsonPath);
        configPath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath)) ?? ".", "tokenizer_config.json");
        using var configDocument = File.Exists(configPath) ? Parse(configPath) : null;
        var root = document.RootElement;
        var config = configDocument?.RootElement ?? default;
        var path = tokenizerJsonPath;

        var modelJson = Json.Get(root, "model");
        var modelType = Json.OptionalString(modelJson, "type") ?? "BPE";
        if (modelType != "BPE") throw new ModelFormatException(path, $"model type '{modelType}' is not supported (only BPE)");
        var vocabJson = Json.Get(modelJson, "vocab");
        if (vocabJson.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "model.vocab must be an object of token -> id");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabJson.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                throw new ModelFormatException(path, $"model.vocab['{entry.Name}'] must be a non-negative integer id");
            vocab[entry.Name] = id;
        }
        var merges = BpeModel.BuildMerges(ReadMerges(modelJson, path), vocab, path);
        var unknownToken = Json.OptionalString(modelJson, "unk_token");
        int? unknownId = unknownToken is not null && vocab.TryGetValue(unknownToken, out var unk) ? unk : null;
        var model = new BpeModel(vocab, merges, unknownId, Json.Bool(modelJson, "byte_fallback", false),
            Json.Bool(modelJson, "fuse_unk", false), Json.Bool(modelJson, "ignore_merges", false));

        var addedTokens = new List<AddedToken>();
        if (Json.Has(root, "added_tokens"))
        {
            foreach (var t in Json.Array(root, "added_tokens", path))
            {
                addedTokens.Add(new AddedToken(Json.Int(t, "id", -1), Json.RequiredString(t, "content", path), Json.Bool(t, "special", false),
                    Json.Bool(t, "lstrip", false), Json.Bool(t, "rstrip", false), Json.Bool(t, "single_word", false), Json.Bool(t, "normalized", false)));
                if (addedTokens[^1].Id < 0) throw new ModelFormatException(path, $"added token '{addedTokens[^1].Content}' has no valid id");
            }
        }
        int? IdOf(string? token) => token is null ? null
            : addedTokens.FirstOrDefault(t => t.Content == token)?.Id ?? (vocab.TryGetValue(token, out var id) ? id : null);

        var template = SpecialTokenTemplate.FromJson(Json.Get(root, "post_processor"), path);
        var bosToken = ConfigTokenString(config, "bos_token");
        var eosToken = ConfigTokenString(config, "eos_token");
        var bosId = IdOf(bosToken) ?? (template.Prefix.Length > 0 ? template.Prefix[0] : null);
        var eosId = IdOf(eosToken);
        if (Json.Has(config, "add_bos_token") || Json.Has(config, "add_eos_token"))
        {
            // transformers rebuilds the post-processor from these flags (LlamaTokenizerFast.update_post_processor).
            var addBos = Json.Bool(config, "add_bos_token", template.Prefix.Length > 0);
            var addEos = Json.Bool(config, "add_eos_token", template.Suffix.Length > 0);
            template = new SpecialTokenTemplate(
                addBos && IdOf(bosToken) is int b ? [b] : addBos ? template.Prefix : [],
                addEos && eosId is int e ? [e] : addEos ? template.Suffix : []);
        }
        var eosIds = new List<int>();
        if (eosId is int eos) eosIds.Add(eos);
        foreach (var name in KnownEndTokens)
            if (addedTokens.FirstOrDefault(t => t.Content == name && t.Special) is { } end && !eosIds.Contains(end.Id)) eosIds.Add(end.Id);

        var extraSpecial = new List<string>();
        if (Json.Get(config, "additional_special_tokens").ValueKind == JsonValueKind.Array)
            foreach (var t in Json.Get(config, "additional_special_tokens").EnumerateArray())
                if (t.ValueKind == JsonValueKind.String) extraSpecial.Add(t.GetString()!);
                else if (Json.OptionalString(t, "content") is { } content) extraSpecial.Add(content);

        return new BpeTokenizer(new BpeTokenizerParts
        {
            Vocab = vocab,
            Model = model,
            AddedTokens = addedTokens,
            ExtraSpecialTokens = extraSpecial,
            Normalizer = Normalizer.FromJson(Json.Get(root, "normalizer"), path),
            PreTokenizer = PreTokenizer.FromJson(Json.Get(root, "pre_tokenizer"), path),
            Decoder = Decoder.FromJson(Json.Get(root, "decoder"), path),
            Template = template,
            CleanUpTokenizationSpaces = Json.Bool(config, "clean_up_tokenization_spaces", false),
            BosId = bosId,
            EosIds = eosIds,
        });
    }

    public static string? ReadChatTemplate(string configPath, string name)
    {
        using var document = Parse(configPath);
        var template = Json.Get(document.RootElement, "chat_template");
        if (template.ValueKind == JsonValueKind.String) return template.GetString();
        if (template.ValueKind != JsonValueKind.Array) return null;
        foreach (var entry in template.EnumerateArray())
            if (Json.OptionalString(entry, "name") == name) return Json.RequiredString(entry, "template", configPath);
        return null;
    }

    /// <summary>bos_token / eos_token of tokenizer_config.json: a string or {"content": ...}.</summary>
    public static string? ConfigTokenString(JsonElement config, string field)
    {
        var value = Json.Get(config, field);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : Json.OptionalString(value, "content");
    }

    private static IEnumerable<(string, string)> ReadMerges(JsonElement modelJson, string path)
    {
        if (!Json.Has(modelJson, "merges")) yield break;
        foreach (var merge in Json.Array(modelJson, "merges", path))
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                var space = text.IndexOf(' ', 1);
                if (space < 0) throw new ModelFormatException(path, $"merge '{text}' is not two tokens separated by a space");
                yield return (text[..space], text[(space + 1)..]);
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
                yield return (merge[0].GetString()!, merge[1].GetString()!);
            else throw new ModelFormatException(path, $"merge {merge.GetRawText()} must be \"a b\" or [\"a\", \"b\"]");
        }
    }

    internal static JsonDocument Parse(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (FileNotFoundException) { throw new ModelFormatException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new ModelFormatException(path, "file not found"); }
        catch (JsonException e) { throw new ModelFormatException(path, $"not valid JSON: {e.Message}", e); }
    }
}
