using System.Text.Json.Nodes;

namespace Hearth.Tokenizers.Tests;

/// <summary>Every corpus string against the ids and text the official HF JS tokenizers produced (make_goldens.mjs).</summary>
public class GoldenTokenizerTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in TestData.RealTokenizers)
        {
            var count = TestData.Golden($"{name}.encode.json")["cases"]!.AsArray().Count;
            for (var i = 0; i < count; i++) data.Add(name, i);
        }
        return data;
    }

    private static JsonNode Case(string name, int index) => TestData.Golden($"{name}.encode.json")["cases"]![index]!;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_matches_golden(string name, int index)
    {
        var golden = Case(name, index);
        var text = golden["text"]!.GetValue<string>();
        var tokenizer = TestData.Tokenizer(name);
        Assert.Equal(TestData.Ints(golden["ids"]), tokenizer.Encode(text));
        Assert.Equal(TestData.Ints(golden["ids_no_special"]), tokenizer.Encode(text, addSpecialTokens: false));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_matches_golden(string name, int index)
    {
        var golden = Case(name, index);
        var ids = TestData.Ints(golden["ids"]);
        var tokenizer = TestData.Tokenizer(name);
        Assert.Equal(golden["decoded"]!.GetValue<string>(), tokenizer.Decode(ids));
        Assert.Equal(golden["decoded_skip_special"]!.GetValue<string>(), tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Streaming_equals_decode(string name, int index)
    {
        var golden = Case(name, index);
        var ids = TestData.Ints(golden["ids"]);
        var tokenizer = TestData.Tokenizer(name);
        foreach (var skip in new[] { false, true })
        {
            var stream = tokenizer.CreateStreamingDetokenizer(skip);
            var pieces = new List<string>();
            foreach (var id in ids) pieces.Add(stream.Push(id));
            pieces.Add(stream.Flush());
            foreach (var piece in pieces) Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), "a piece ends inside a surrogate pair");
            Assert.Equal(tokenizer.Decode(ids, skip), string.Concat(pieces));
        }
    }

    [Fact]
    public void Concurrent_encoding_on_one_fresh_instance_matches_goldens()
    {
        // The word caches fill while several threads encode: every result must still equal the golden.
        var tokenizer = TokenizerLoader.FromHuggingFace(Path.Combine(TestData.External("qwen3"), "tokenizer.json"));
        var cases = TestData.Golden("qwen3.encode.json")["cases"]!.AsArray();
        Parallel.For(0, cases.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var golden = cases[i % cases.Count]!;
            Assert.Equal(TestData.Ints(golden["ids"]), tokenizer.Encode(golden["text"]!.GetValue<string>()));
        });
    }
}
