using System.Text.Json;
using Hearth.Core;
using Hearth.Formats.Gguf;

namespace Hearth.Quantization.Conversion;

/// <summary>
/// tokenizer.json (+ tokenizer_config.json) -> tokenizer.ggml.* metadata, as llama.cpp's converter writes
/// it for BPE tokenizers. Byte-level BPE (GPT-2 / Llama 3 / Qwen2) becomes model "gpt2" with its merges and
/// a pre-tokenizer name recognised from the split regex; SentencePiece-style BPE (byte fallback, "▁")
/// becomes model "llama" with scores derived from merge ranks (a piece scores -rank of the first merge that
/// makes it, so the GGUF tokenizer merges in the HF order). Token types: control for special added tokens,
/// user-defined for other added tokens, byte for &lt;0xXX&gt;, unknown for unk, normal otherwise.
/// </summary>
internal static class HfTokenizerToGguf
{
    private const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Byte = 6;

    public static IEnumerable<KeyValuePair<string, GgufValue>> Convert(string tokenizerJsonPath, string? configPath, int vocabSize)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(tokenizerJsonPath));
        using var configDoc = configPath is not null && File.Exists(configPath) ? JsonDocument.Parse(File.ReadAllText(configPath)) : null;
        var root = doc.RootElement;
        var config = configDoc?.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object || Str(model, "type") is not (null or "BPE"))
            throw new ModelFormatException(tokenizerJsonPath, "only BPE tokenizers can be converted to GGUF metadata");

        var byId = new Dictionary<int, string>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject()) byId[entry.Value.GetInt32()] = entry.Name;
        var added = new Dictionary<int, bool>(); // id -> special
        if (root.TryGetProperty("added_tokens", out var addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in addedTokens.EnumerateArray())
            {
                int id = t.GetProperty("id").GetInt32();
                byId[id] = t.GetProperty("content").GetString()!;
                added[id] = t.TryGetProperty("special", out var special) && special.ValueKind == JsonValueKind.True;
            }
        }
        int count = Math.Max(vocabSize, byId.Count == 0 ? 0 : byId.Keys.Max() + 1);
        var tokens = new string[count];
        for (int id = 0; id < count; id++) tokens[id] = byId.TryGetValue(id, out var s) ? s : $"[PAD{id}]";

        var merges = new List<string>();
        if (model.TryGetProperty("merges", out var mergesJson) && mergesJson.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in mergesJson.EnumerateArray())
                merges.Add(m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!);
        }

        bool byteLevel = Mentions(root, "pre_tokenizer", "ByteLevel") || Mentions(root, "decoder", "ByteLevel");
        string? unk = Str(model, "unk_token");
        var types = new int[count];
        for (int id = 0; id < count; id++)
        {
            types[id] = tokens[id] == unk ? Unknown
                : added.TryGetValue(id, out bool special) ? (special ? Control : UserDefined)
                : !byteLevel && tokens[id].Length == 6 && tokens[id].StartsWith("<0x", StringComparison.Ordinal) && tokens[id].EndsWith('>') ? Byte
                : Normal;
        }

        var meta = new List<KeyValuePair<string, GgufValue>>();
        void Add(string key, GgufValue value) => meta.Add(KeyValuePair.Create("tokenizer.ggml." + key, value));
        if (byteLevel)
        {
            Add("model", GgufValue.Of("gpt2"));
            Add("pre", GgufValue.Of(PreTokenizerName(root)));
            Add("tokens", GgufValue.Of(tokens));
            Add("token_type", GgufValue.Of(types));
            Add("merges", GgufValue.Of(merges.ToArray()));
        }
        else
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int id = 0; id < count; id++) ids.TryAdd(tokens[id], id);
            var scores = new float[count];
            for (int id = 0; id < count; id++) scores[id] = types[id] == Normal ? -(merges.Count + id) : 0;
            for (int rank = merges.Count - 1; rank >= 0; rank--)
            {
                if (ids.TryGetValue(merges[rank].Replace(" ", "", StringComparison.Ordinal), out int produced)) scores[produced] = -rank;
            }
            Add("model", GgufValue.Of("llama"));
            Add("pre", GgufValue.Of("default"));
            Add("tokens", GgufValue.Of(tokens));
            Add("scores", GgufValue.Of(scores));
            Add("token_type", GgufValue.Of(types));
        }

        int? IdOf(string? token) => token is null ? null : Array.IndexOf(tokens, token) is var i and >= 0 ? i : null;
        if (IdOf(ConfigToken(config, "bos_token")) is { } bos) Add("bos_token_id", GgufValue.Of((uint)bos));
        if (IdOf(ConfigToken(config, "eos_token")) is { } eos) Add("eos_token_id", GgufValue.Of((uint)eos));
        // End of turn of chat models (llama.cpp's eot): the first of these present as a special token.
        foreach (string text in (string[])["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>"])
        {
            if (IdOf(text) is { } eot && types[eot] == Control)
            {
                Add("eot_token_id", GgufValue.Of((uint)eot));
                break;
            }
        }
        if (IdOf(unk) is { } unkId) Add("unknown_token_id", GgufValue.Of((uint)unkId));
        if (IdOf(ConfigToken(config, "pad_token")) is { } pad) Add("padding_token_id", GgufValue.Of((uint)pad));
        bool addBos = config is { } c && c.TryGetProperty("add_bos_token", out var ab) && ab.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? ab.GetBoolean()
            : ConfigToken(config, "bos_token") is { } bosText && root.TryGetProperty("post_processor", out var post) && post.ToString().Contains(bosText, StringComparison.Ordinal);
        Add("add_bos_token", GgufValue.Of(addBos));
        bool addEos = config is { } c2 && c2.TryGetProperty("add_eos_token", out var ae) && ae.ValueKind == JsonValueKind.True;
        Add("add_eos_token", GgufValue.Of(addEos));
        if (!byteLevel) Add("add_space_prefix", GgufValue.Of(Mentions(root, "normalizer", "Prepend") || Mentions(root, "pre_tokenizer", "Metaspace")));
        return meta;
    }

    // llama.cpp names pre-tokenizers by their regex; recognise the three Hearth reads.
    private static string PreTokenizerName(JsonElement root)
    {
        string pre = root.TryGetProperty("pre_tokenizer", out var p) ? p.ToString() : "";
        if (!pre.Contains("\"Split\"", StringComparison.Ordinal)) return "gpt-2";
        bool nfc = root.TryGetProperty("normalizer", out var n) && n.ToString().Contains("NFC", StringComparison.Ordinal);
        return nfc ? "qwen2" : "llama-bpe";
    }

    private static bool Mentions(JsonElement root, string property, string type) =>
        root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
        && value.ToString().Contains($"\"{type}\"", StringComparison.Ordinal);

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // "bos_token": "<s>" or {"content": "<s>", ...}
    private static string? ConfigToken(JsonElement? config, string name)
    {
        if (config is not { } c || !c.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object => Str(v, "content"),
            _ => null,
        };
    }
}
