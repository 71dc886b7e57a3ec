using System.Text.Json.Nodes;

namespace Hearth.Tokenizers.Tests;

/// <summary>
/// A tokenizer built from GGUF-style metadata (as llama.cpp's converter writes it from the HF files) must behave
/// like the HF tokenizer: checked against the same goldens.
/// </summary>
public class GgufTokenizerTests
{
    private static readonly Dictionary<string, ITokenizer> Built = [];

    private static ITokenizer FromGgufSpec(string name)
    {
        lock (Built)
        {
            if (Built.TryGetValue(name, out var cached)) return cached;
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TestData.External(name), "tokenizer.json")))!;
            var model = json["model"]!;
            var vocab = model["vocab"]!.AsObject();
            var added = json["added_tokens"]!.AsArray();
            var size = Math.Max(vocab.Max(p => p.Value!.GetValue<int>()), added.Max(a => a!["id"]!.GetValue<int>())) + 1;
            var tokens = new string[size];
            var types = new int[size];
            Array.Fill(types, 1);
            foreach (var (token, id) in vocab) tokens[id!.GetValue<int>()] = token;
            foreach (var a in added)
            {
                var id = a!["id"]!.GetValue<int>();
                tokens[id] = a["content"]!.GetValue<string>();
                types[id] = a["special"]!.GetValue<bool>() ? 3 : 4;
            }
            for (var i = 0; i < size; i++) tokens[i] ??= $"[PAD{i}]";
            // What llama.cpp's convert_hf_to_gguf.py writes for each of these models.
            var spec = name switch
            {
                "llama2" => SentencePieceSpec(model, vocab, tokens, types, unknownId: 0, bosId: 1, eosId: 2, addSpacePrefix: true),
                "gemma3" => SentencePieceSpec(model, vocab, tokens, types, unknownId: 3, bosId: 2, eosId: 1, addSpacePrefix: false),
                "llama3_1" or "llama3_2" => ByteLevelSpec(model, tokens, types, "llama-bpe", bosId: 128000, eosId: 128009, addBos: true),
                "qwen3" => ByteLevelSpec(model, tokens, types, "qwen2", bosId: null, eosId: 151645, addBos: false),
                "gpt4o" => ByteLevelSpec(model, tokens, types, "gpt-4o", bosId: null, eosId: 199999, addBos: false),
                "deepseek_v3" => ByteLevelSpec(model, tokens, types, "deepseek-v3", bosId: 0, eosId: 1, addBos: true),
                _ => throw new ArgumentException(name),
            };
            return Built[name] = TokenizerLoader.FromGguf(spec);
        }
    }

    /// <summary>SentencePiece ("llama") metadata: byte tokens typed 6, the unknown token 2; scores as a SentencePiece
    /// model's (the HF file's merges are derived from them): rebuilt here from the merge order.</summary>
    private static GgufTokenizerSpec SentencePieceSpec(JsonNode model, JsonObject vocab, string[] tokens, int[] types,
        int unknownId, int bosId, int eosId, bool addSpacePrefix)
    {
        for (var i = 0; i < tokens.Length; i++)
            if (types[i] == 1 && tokens[i].Length == 6 && tokens[i].StartsWith("<0x", StringComparison.Ordinal)) types[i] = 6;
        types[unknownId] = 2;
        var scores = new float[tokens.Length];
        Array.Fill(scores, -1e9f);
        var rank = 0;
        foreach (var m in model["merges"]!.AsArray())
        {
            var text = m is JsonArray pair ? pair[0]!.GetValue<string>() + pair[1]!.GetValue<string>() : m!.GetValue<string>().Replace(" ", "", StringComparison.Ordinal);
            var id = vocab[text]!.GetValue<int>();
            if (scores[id] == -1e9f) scores[id] = -rank;
            rank++;
        }
        return new GgufTokenizerSpec
        {
            Model = "llama", Tokens = tokens, TokenTypes = types, Scores = scores,
            BosId = bosId, EosId = eosId, UnknownId = unknownId, AddBos = true, AddEos = false, AddSpacePrefix = addSpacePrefix,
        };
    }

    private static GgufTokenizerSpec ByteLevelSpec(JsonNode model, string[] tokens, int[] types, string pre, int? bosId, int eosId, bool addBos)
    {
        var merges = model["merges"]!.AsArray().Select(m => m is JsonArray pair ? pair[0]!.GetValue<string>() + " " + pair[1]!.GetValue<string>() : m!.GetValue<string>()).ToArray();
        return new GgufTokenizerSpec { Model = "gpt2", Pre = pre, Tokens = tokens, TokenTypes = types, Merges = merges, BosId = bosId, EosId = eosId, AddBos = addBos };
    }

    [Theory]
    [MemberData(nameof(GoldenTokenizerTests.Cases), MemberType = typeof(GoldenTokenizerTests))]
    public void Gguf_tokenizer_matches_hf_golden(string name, int index)
    {
        var golden = TestData.Golden($"{name}.encode.json")["cases"]![index]!;
        var tokenizer = FromGgufSpec(name);
        var text = golden["text"]!.GetValue<string>();
        Assert.Equal(TestData.Ints(golden["ids"]), tokenizer.Encode(text));
        Assert.Equal(golden["decoded"]!.GetValue<string>(), tokenizer.Decode(TestData.Ints(golden["ids"])));
    }

    [Fact]
    public void Bad_metadata_is_a_clear_error()
    {
        var e = Assert.Throws<Hearth.Core.ModelFormatException>(() => TokenizerLoader.FromGguf(new GgufTokenizerSpec { Model = "bert", Tokens = ["a"] }));
        Assert.Contains("tokenizer.ggml.model", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<Hearth.Core.ModelFormatException>(() => TokenizerLoader.FromGguf(new GgufTokenizerSpec { Model = "llama", Tokens = ["a"], Scores = [0f], BosId = 5 }));
        Assert.Contains("bos_token_id", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<Hearth.Core.ModelFormatException>(() => TokenizerLoader.FromGguf(new GgufTokenizerSpec { Model = "gpt2", Tokens = ["a"] }));
        Assert.Contains("merges", e.Message, StringComparison.Ordinal);
    }
}
