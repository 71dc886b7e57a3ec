using System.Text.Json.Nodes;

namespace Hearth.Tokenizers.Tests;

/// <summary>Hand-built tokenizer.json files (no external data): expected ids worked out by hand from HF's BPE rules.</summary>
public sealed class TinyTokenizerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hearth-tok-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>GPT-2's byte-to-char table, written independently of the library's.</summary>
    private static char ByteChar(int b)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 12)).Concat(Enumerable.Range(0xAE, 0x100 - 0xAE)).ToList();
        if (printable.Contains(b)) return (char)b;
        return (char)(256 + Enumerable.Range(0, 256).Where(x => !printable.Contains(x)).ToList().IndexOf(b));
    }

    private ITokenizer Load(JsonObject tokenizer, JsonObject? config = null)
    {
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "tokenizer.json"), tokenizer.ToJsonString());
        if (config is not null) File.WriteAllText(Path.Combine(path, "tokenizer_config.json"), config.ToJsonString());
        return TokenizerLoader.FromHuggingFace(Path.Combine(path, "tokenizer.json"));
    }

    private ITokenizer ByteLevel(string splitRegex, params (string Left, string Right)[] merges)
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++) vocab[ByteChar(b).ToString()] = b;
        var next = 256;
        foreach (var (l, r) in merges) vocab[l + r] = next++;
        return Load(new JsonObject
        {
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = next, ["content"] = "<|end|>", ["special"] = true, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["single_word"] = false }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = splitRegex }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            // merges as [a, b] pairs (the newer format)
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Left, m.Right)).ToArray()) },
        });
    }

    [Fact]
    public void Byte_level_merges_apply_lowest_rank_first()
    {
        var tokenizer = ByteLevel(@"\p{L}+|\s+", ("h", "e"), ("l", "l"), ("he", "ll"));
        Assert.Equal([258, 'o'], tokenizer.Encode("hello"));
        Assert.Equal([258, 'o', 259], tokenizer.Encode("hello<|end|>"));
        Assert.Equal("hello<|end|>", tokenizer.Decode([258, 'o', 259]));
        Assert.Equal("hello", tokenizer.Decode([258, 'o', 259], skipSpecialTokens: true));
        Assert.True(tokenizer.IsSpecial(259));
        Assert.Equal("he", tokenizer.TokenString(256));
        Assert.Equal(257, tokenizer.TokenId("ll"));
    }

    [Fact]
    public void Astral_letters_are_letters_and_emoji_are_not()
    {
        // With code-point semantics \p{L}+ takes "a𝐀b" whole, so the merge a+0xF0 applies; "b" and "😀" are split.
        var aF0 = ("a", ByteChar(0xF0).ToString());
        var bF0 = ("b", ByteChar(0xF0).ToString());
        var tokenizer = ByteLevel(@"\p{L}+|\p{N}+|[^\p{L}\p{N}]+", aF0, bF0);
        Assert.Equal([256, 0x9D, 0x90, 0x80, 'b', 0xF0, 0x9F, 0x98, 0x80, '1'], tokenizer.Encode("a𝐀b😀1"));
        Assert.Equal("a𝐀b😀1", tokenizer.Decode(tokenizer.Encode("a𝐀b😀1")));
    }

    [Fact]
    public void Streaming_never_splits_a_character()
    {
        var tokenizer = ByteLevel(@"\p{L}+|\s+");
        var ids = tokenizer.Encode("é😀");
        var stream = tokenizer.CreateStreamingDetokenizer();
        var pieces = ids.Select(stream.Push).Append(stream.Flush()).ToList();
        Assert.Equal(["", "é", "", "", "", "😀", ""], pieces);
    }

    private ITokenizer SentencePiece(JsonObject? config = null)
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (var b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = 3 + b;
        vocab["▁"] = 259; vocab["h"] = 260; vocab["i"] = 261; vocab["▁h"] = 262; vocab["▁hi"] = 263;
        JsonObject Added(int id, string content) => new() { ["id"] = id, ["content"] = content, ["special"] = true, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["single_word"] = false };
        return Load(new JsonObject
        {
            ["added_tokens"] = new JsonArray(Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>")),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["special_tokens"] = new JsonObject { ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(1), ["tokens"] = new JsonArray("<s>") } },
            },
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" }, new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["unk_token"] = "<unk>", ["byte_fallback"] = true, ["fuse_unk"] = true,
                ["vocab"] = vocab, ["merges"] = new JsonArray("▁ h", "▁h i"),
            },
        }, config);
    }

    [Fact]
    public void SentencePiece_metaspace_and_byte_fallback()
    {
        var tokenizer = SentencePiece();
        Assert.Equal([1, 263, 263], tokenizer.Encode("hi hi"));
        Assert.Equal([1, 263, 259, 3 + 0xC3, 3 + 0xA9], tokenizer.Encode("hi é"));
        Assert.Equal("hi é", tokenizer.Decode([1, 263, 259, 3 + 0xC3, 3 + 0xA9], skipSpecialTokens: true));
        Assert.Equal("hi\uFFFD", tokenizer.Decode([263, 3 + 0xC3], skipSpecialTokens: true));
        Assert.True(tokenizer.AddsBos);
        Assert.Equal(1, tokenizer.BosId);
        var stream = tokenizer.CreateStreamingDetokenizer(skipSpecialTokens: true);
        Assert.Equal(["", "hi", " ", "", "é"], new[] { 1, 263, 259, 3 + 0xC3, 3 + 0xA9 }.Select(stream.Push).ToList());
    }

    [Fact]
    public void Config_add_bos_and_add_eos_override_the_post_processor()
    {
        var tokenizer = SentencePiece(new JsonObject { ["add_bos_token"] = false, ["add_eos_token"] = true, ["bos_token"] = "<s>", ["eos_token"] = new JsonObject { ["content"] = "</s>" } });
        Assert.Equal([263, 2], tokenizer.Encode("hi"));
        Assert.False(tokenizer.AddsBos);
        Assert.Contains(2, tokenizer.EosIds);
    }

    [Fact]
    public void Bad_tokenizer_json_is_a_clear_error()
    {
        var path = Path.Combine(dir, "broken.json");
        File.WriteAllText(path, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]}}");
        var e = Assert.Throws<Hearth.Core.ModelFormatException>(() => TokenizerLoader.FromHuggingFace(path));
        Assert.Contains("a b", e.Message, StringComparison.Ordinal);
        File.WriteAllText(path, "{not json");
        Assert.Throws<Hearth.Core.ModelFormatException>(() => TokenizerLoader.FromHuggingFace(path));
        Assert.Throws<Hearth.Core.ModelFormatException>(() => TokenizerLoader.FromHuggingFace(Path.Combine(dir, "missing.json")));
    }
}
