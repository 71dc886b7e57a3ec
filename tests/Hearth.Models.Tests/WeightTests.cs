using Hearth.Core;
using Hearth.Models.Llama;

namespace Hearth.Models.Tests;

public class WeightTests
{
    [Theory]
    [InlineData("token_embd", 0, "model.embed_tokens.weight", "token_embd.weight")]
    [InlineData("output", 0, "lm_head.weight", "output.weight")]
    [InlineData("output_norm", 0, "model.norm.weight", "output_norm.weight")]
    [InlineData("attn_norm", 3, "model.layers.3.input_layernorm.weight", "blk.3.attn_norm.weight")]
    [InlineData("wq", 0, "model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight")]
    [InlineData("wk", 1, "model.layers.1.self_attn.k_proj.weight", "blk.1.attn_k.weight")]
    [InlineData("wv", 2, "model.layers.2.self_attn.v_proj.weight", "blk.2.attn_v.weight")]
    [InlineData("wo", 12, "model.layers.12.self_attn.o_proj.weight", "blk.12.attn_output.weight")]
    [InlineData("bq", 0, "model.layers.0.self_attn.q_proj.bias", "blk.0.attn_q.bias")]
    [InlineData("bk", 0, "model.layers.0.self_attn.k_proj.bias", "blk.0.attn_k.bias")]
    [InlineData("bv", 0, "model.layers.0.self_attn.v_proj.bias", "blk.0.attn_v.bias")]
    [InlineData("ffn_norm", 5, "model.layers.5.post_attention_layernorm.weight", "blk.5.ffn_norm.weight")]
    [InlineData("w_gate", 0, "model.layers.0.mlp.gate_proj.weight", "blk.0.ffn_gate.weight")]
    [InlineData("w_up", 0, "model.layers.0.mlp.up_proj.weight", "blk.0.ffn_up.weight")]
    [InlineData("w_down", 0, "model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight")]
    public void Name_map_covers_hf_and_gguf(string role, int layer, string hf, string gguf)
    {
        Assert.Equal(hf, LlamaTensorNames.Name(WeightNaming.HuggingFace, role, layer));
        Assert.Equal(gguf, LlamaTensorNames.Name(WeightNaming.Gguf, role, layer));
    }

    [Theory]
    [InlineData(WeightNaming.HuggingFace)]
    [InlineData(WeightNaming.Gguf)]
    public void Complete_source_binds_and_keeps_storage_types(WeightNaming naming)
    {
        var c = Configs.Small();
        var source = FakeTensorSource.For(c, naming, TensorType.Q8_0);
        var w = LlamaWeights.Bind(c, source, naming);
        Assert.Equal(2, w.Layers.Count);
        Assert.Equal(TensorType.Q8_0, w.Layers[1].Wq.Type);
        Assert.Same(source.Find(LlamaTensorNames.Name(naming, "w_down", 1)), w.Layers[1].WDown);
        Assert.False(w.IsTied);
        Assert.Null(w.Layers[0].Bq);
    }

    [Fact]
    public void Absent_lm_head_ties_output_to_embedding()
    {
        var c = Configs.Small();
        var w = LlamaWeights.Bind(c, FakeTensorSource.For(c, WeightNaming.HuggingFace, withOutput: false), WeightNaming.HuggingFace);
        Assert.True(w.IsTied);
        Assert.Same(w.TokenEmbd, w.Output);
    }

    [Fact]
    public void Tie_word_embeddings_ignores_a_present_lm_head()
    {
        var c = Configs.Small(tied: true);
        var w = LlamaWeights.Bind(c, FakeTensorSource.For(c, WeightNaming.HuggingFace), WeightNaming.HuggingFace);
        Assert.True(w.IsTied);
    }

    [Fact]
    public void Missing_tensor_names_file_and_tensor()
    {
        var c = Configs.Small();
        var source = FakeTensorSource.For(c, WeightNaming.HuggingFace).Without("model.layers.1.mlp.up_proj.weight");
        var e = Assert.Throws<ModelFormatException>(() => LlamaWeights.Bind(c, source, WeightNaming.HuggingFace));
        Assert.Equal("fake-hf", e.Path);
        Assert.Contains("'model.layers.1.mlp.up_proj.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_bias_is_an_error_when_config_announces_bias()
    {
        var c = Configs.Small(bias: true);
        var source = FakeTensorSource.For(c, WeightNaming.Gguf, withBias: true).Without("blk.0.attn_k.bias");
        var e = Assert.Throws<ModelFormatException>(() => LlamaWeights.Bind(c, source, WeightNaming.Gguf));
        Assert.Contains("blk.0.attn_k.bias", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_shape_names_tensor_and_both_shapes()
    {
        var c = Configs.Small();
        var source = FakeTensorSource.For(c, WeightNaming.Gguf)
            .With(FakeTensorSource.Tensor("blk.1.attn_k.weight", TensorType.F16, 64, 64));
        var e = Assert.Throws<ModelFormatException>(() => LlamaWeights.Bind(c, source, WeightNaming.Gguf));
        Assert.Equal("fake.gguf", e.Path);
        Assert.Contains("'blk.1.attn_k.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[64, 64]", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected [32, 64]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_embedding_shape_is_reported()
    {
        var c = Configs.Small();
        var source = FakeTensorSource.For(c, WeightNaming.HuggingFace)
            .With(FakeTensorSource.Tensor("model.embed_tokens.weight", TensorType.F16, 96, 32));
        var e = Assert.Throws<ModelFormatException>(() => LlamaWeights.Bind(c, source, WeightNaming.HuggingFace));
        Assert.Contains("expected [96, 64]", e.Message, StringComparison.Ordinal);
    }
}
