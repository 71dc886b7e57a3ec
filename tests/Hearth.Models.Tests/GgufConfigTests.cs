using Hearth.Compute;
using Hearth.Core;
using Hearth.Formats.Gguf;
using Hearth.Models.Llama;

namespace Hearth.Models.Tests;

public class GgufConfigTests
{
    private static Dictionary<string, GgufValue> Metadata(string arch = "llama") => new()
    {
        ["general.architecture"] = GgufValue.Of(arch),
        [arch + ".context_length"] = GgufValue.Of(4096u),
        [arch + ".embedding_length"] = GgufValue.Of(64u),
        [arch + ".block_count"] = GgufValue.Of(2u),
        [arch + ".feed_forward_length"] = GgufValue.Of(128u),
        [arch + ".attention.head_count"] = GgufValue.Of(4u),
        [arch + ".attention.head_count_kv"] = GgufValue.Of(2u),
        [arch + ".attention.layer_norm_rms_epsilon"] = GgufValue.Of(1e-5f),
        [arch + ".rope.freq_base"] = GgufValue.Of(500000f),
        [arch + ".rope.dimension_count"] = GgufValue.Of(16u),
    };

    private static FakeTensorSource Tensors(bool withOutput = true, bool withBias = false) =>
        FakeTensorSource.For(Configs.Small() with { VocabSize = 96 }, WeightNaming.Gguf, withOutput: withOutput, withBias: withBias);

    private static ModelConfig Read(Dictionary<string, GgufValue> meta, FakeTensorSource? tensors = null, string arch = "llama") =>
        ArchitectureRegistry.ForGguf("fake.gguf", arch).ReadGgufConfig(arch, meta, tensors ?? Tensors());

    [Fact]
    public void Llama_metadata_reads_every_field()
    {
        var c = Read(Metadata());
        Assert.Equal(64, c.Dim);
        Assert.Equal(2, c.LayerCount);
        Assert.Equal(128, c.FfnDim);
        Assert.Equal(4, c.HeadCount);
        Assert.Equal(2, c.KvHeadCount);
        Assert.Equal(16, c.HeadDim);
        Assert.Equal(4096, c.ContextLength);
        Assert.Equal(1e-5f, c.RmsNormEps);
        Assert.Equal(500000f, c.RopeTheta);
        Assert.Equal(96, c.VocabSize);  // rows of token_embd
        Assert.Equal(RopeMode.Interleaved, c.RopeMode);
        Assert.Null(c.RopeScaling);
        Assert.False(c.TiedEmbeddings);
        Assert.False(c.QkvBias);
    }

    [Fact]
    public void Qwen2_uses_neox_rope_and_bias()
    {
        var meta = Metadata("qwen2");
        var c = Read(meta, Tensors(withBias: true), "qwen2");
        Assert.Equal(RopeMode.NeoX, c.RopeMode);
        Assert.True(c.QkvBias);
    }

    [Fact]
    public void Absent_output_tensor_means_tied_embeddings()
    {
        Assert.True(Read(Metadata(), Tensors(withOutput: false)).TiedEmbeddings);
    }

    [Fact]
    public void Linear_scaling_and_sliding_window_are_read()
    {
        var meta = Metadata();
        meta["llama.rope.scaling.type"] = GgufValue.Of("linear");
        meta["llama.rope.scaling.factor"] = GgufValue.Of(4f);
        meta["llama.attention.sliding_window"] = GgufValue.Of(32u);
        var c = Read(meta);
        Assert.Equal(new RopeScaling(RopeScalingType.Linear, 4), c.RopeScaling);
        Assert.Equal(32, c.SlidingWindow);
    }

    [Fact]
    public void Unsupported_scaling_type_is_named()
    {
        var meta = Metadata();
        meta["llama.rope.scaling.type"] = GgufValue.Of("yarn");
        var e = Assert.Throws<ModelFormatException>(() => Read(meta));
        Assert.Contains("llama.rope.scaling.type", e.Message, StringComparison.Ordinal);
        Assert.Contains("yarn", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llama.context_length")]
    [InlineData("llama.embedding_length")]
    [InlineData("llama.block_count")]
    [InlineData("llama.feed_forward_length")]
    [InlineData("llama.attention.head_count")]
    [InlineData("llama.attention.layer_norm_rms_epsilon")]
    public void Missing_key_is_named(string key)
    {
        var meta = Metadata();
        meta.Remove(key);
        var e = Assert.Throws<ModelFormatException>(() => Read(meta));
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
        Assert.Equal("fake.gguf", e.Path);
    }

    [Fact]
    public void Wrongly_typed_key_is_named()
    {
        var meta = Metadata();
        meta["llama.block_count"] = GgufValue.Of("two");
        var e = Assert.Throws<ModelFormatException>(() => Read(meta));
        Assert.Contains("'llama.block_count'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Partial_rotary_is_rejected()
    {
        var meta = Metadata();
        meta["llama.rope.dimension_count"] = GgufValue.Of(8u);
        meta["llama.attention.key_length"] = GgufValue.Of(16u);
        var e = Assert.Throws<ModelFormatException>(() => Read(meta));
        Assert.Contains("rope.dimension_count", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_embedding_is_named()
    {
        var e = Assert.Throws<ModelFormatException>(() => Read(Metadata(), Tensors().Without("token_embd.weight")));
        Assert.Contains("token_embd.weight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokenizer_metadata_becomes_a_spec()
    {
        var meta = Metadata();
        meta["tokenizer.ggml.model"] = GgufValue.Of("gpt2");
        meta["tokenizer.ggml.pre"] = GgufValue.Of("llama-bpe");
        meta["tokenizer.ggml.tokens"] = GgufValue.Of(["a", "b", "<s>", "</s>", "<eot>"]);
        meta["tokenizer.ggml.token_type"] = GgufValue.Of([1, 1, 3, 3, 3]);
        meta["tokenizer.ggml.merges"] = GgufValue.Of(["a b"]);
        meta["tokenizer.ggml.bos_token_id"] = GgufValue.Of(2u);
        meta["tokenizer.ggml.eos_token_id"] = GgufValue.Of(3u);
        meta["tokenizer.ggml.eot_token_id"] = GgufValue.Of(4u);
        meta["tokenizer.ggml.add_bos_token"] = GgufValue.Of(true);
        var spec = GgufTokenizerMetadata.Read(meta, "fake.gguf")!;
        Assert.Equal("gpt2", spec.Model);
        Assert.Equal("llama-bpe", spec.Pre);
        Assert.Equal(5, spec.Tokens.Length);
        Assert.Equal([1, 1, 3, 3, 3], spec.TokenTypes!);
        Assert.Equal(["a b"], spec.Merges!);
        Assert.Equal(2, spec.BosId);
        Assert.Equal(3, spec.EosId);
        Assert.Equal([4], spec.ExtraEosIds);
        Assert.True(spec.AddBos);
        Assert.Null(spec.AddEos);

        meta["tokenizer.ggml.eos_token_id"] = GgufValue.Of(99u);
        var e = Assert.Throws<ModelFormatException>(() => GgufTokenizerMetadata.Read(meta, "fake.gguf"));
        Assert.Contains("tokenizer.ggml.eos_token_id", e.Message, StringComparison.Ordinal);
        Assert.Null(GgufTokenizerMetadata.Read(Metadata(), "fake.gguf"));
    }
}
