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
            GgufTokenizerSpec spec;
            if (name == "llama2")
            {
                for (var i = 0; i < size; i++) if (tokens[i].StartsWith("<0x", StringComparison.Ordinal)) types[i] = 6;
                types[0] = 2;
                // A SentencePiece model scores each piece by its merge order (the HF file's merges are derived from
                // those scores): rebuild such scores from the merge list.
                var scores = new float[size];
                Array.Fill(scores, -1e9f);
                var rank = 0;
                foreach (var m in model["merges"]!.AsArray())
                {
                    var text = m is JsonArray pair ? pair[0]!.GetValue<string>() + pair[1]!.GetValue<string>() : m!.GetValue<string>().Replace(" ", "", StringComparison.Ordinal);
                    var id = vocab[text]!.GetValue<int>();
                    if (scores[id] == -1e9f) scores[id] = -rank;
                    rank++;
                }
                spec = new GgufTokenizerSpec
                {
                    Model = "llama", Tokens = tokens, TokenTypes = types, Scores = scores,
                    BosId = 1, EosId = 2, UnknownId = 0, AddBos = true, AddEos = false,
                };
            }
            else
            {
                var merges = model["merges"]!.AsArray().Select(m => m is JsonArray pair ? pair[0]!.GetValue<string>() + " " + pair[1]!.GetValue<string>() : m!.GetValue<string>()).ToArray();
                spec = new GgufTokenizerSpec
                {
                    Model = "gpt2", Pre = name == "qwen3" ? "qwen2" : "llama-bpe", Tokens = tokens, TokenTypes = types, Merges = merges,
                    BosId = name == "qwen3" ? null : 128000, EosId = name == "qwen3" ? 151645 : 128009, AddBos = name != "qwen3",
                };
            }
            return Built[name] = TokenizerLoader.FromGguf(spec);
        }
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
