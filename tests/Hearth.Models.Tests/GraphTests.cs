using Hearth.Compute;
using Hearth.Core;
using Hearth.Models.Llama;

namespace Hearth.Models.Tests;

public class GraphTests
{
    private static ComputeGraph Build(ModelConfig c, int tokens, bool allLogits, FakeTensorSource? source = null)
    {
        var builder = ArchitectureRegistry.Get(c.Architecture).Bind(c, source ?? FakeTensorSource.For(c, WeightNaming.HuggingFace, withBias: c.QkvBias), WeightNaming.HuggingFace);
        return builder.Build(tokens, FakeStateBuffer.Cache(c), allLogits);
    }

    [Fact]
    public void Every_layer_has_its_named_intermediates()
    {
        var g = Build(Configs.Small(), 5, allLogits: true);
        foreach (int i in new[] { 0, 1 })
        {
            foreach (var name in new[] { "attn_norm", "q", "k", "v", "q_rope", "k_rope", "k_cache", "v_cache", "attn", "attn_out", "attn_residual", "ffn_norm", "ffn_gate", "ffn_up", "ffn_act", "ffn_out", "out" })
                Assert.NotNull(g.Find($"blk.{i}.{name}"));
        }
        Assert.Equal(OpKind.Input, g.Find("tokens")!.Op);
        Assert.Equal(OpKind.Input, g.Find("positions")!.Op);
        Assert.Equal(OpKind.RmsNorm, g.Find("output_norm")!.Op);
        var logits = Assert.Single(g.Outputs);
        Assert.Equal("logits", logits.Name);
        Assert.Equal(new Shape(5, 96), logits.Shape);
        Assert.Null(g.Find("output_norm_last"));
    }

    [Fact]
    public void Last_token_only_takes_the_last_row_before_the_head()
    {
        var g = Build(Configs.Small(), 5, allLogits: false);
        Assert.Equal(new Shape(1, 96), g.Outputs[0].Shape);
        Assert.Equal(OpKind.TakeLastRows, g.Outputs[0].Inputs[0].Op);
    }

    [Fact]
    public void Attention_uses_gqa_scale_and_per_layer_window()
    {
        var c = Configs.Small(window: 8, windowFirstLayer: 1);
        var g = Build(c, 3, allLogits: true);
        var a0 = g.Find("blk.0.attn")!.P<AttentionParams>();
        var a1 = g.Find("blk.1.attn")!.P<AttentionParams>();
        Assert.Equal(new AttentionParams(0, 4, 2, 16, 0.25f, 0), a0);
        Assert.Equal(8, a1.SlidingWindow);
        Assert.Equal(new RopeParams(2, 16, RopeMode.NeoX), g.Find("blk.0.k_rope")!.P<RopeParams>());
        Assert.Equal(OpKind.KvWrite, g.Find("blk.1.v_cache")!.Op);
        Assert.Equal(OpKind.State, g.Find("blk.1.v_cache")!.Inputs[2].Op);
    }

    [Fact]
    public void Weights_enter_the_graph_in_their_storage_type()
    {
        var c = Configs.Small();
        var g = Build(c, 2, allLogits: true, FakeTensorSource.For(c, WeightNaming.HuggingFace, TensorType.Q4_0));
        var wq = g.Find("blk.0.q")!.Inputs[1];
        Assert.Equal(OpKind.Weight, wq.Op);
        Assert.Equal(TensorType.Q4_0, wq.Type);
        Assert.Equal("model.layers.0.self_attn.q_proj.weight", wq.Weight!.Name);
    }

    [Fact]
    public void Qkv_bias_is_added_after_the_projection()
    {
        var g = Build(Configs.Small("qwen2", bias: true), 2, allLogits: true);
        var q = g.Find("blk.1.q")!;
        Assert.Equal(OpKind.Add, q.Op);
        Assert.Equal(OpKind.MatMul, q.Inputs[0].Op);
        Assert.Equal("model.layers.1.self_attn.q_proj.bias", q.Inputs[1].Weight!.Name);
    }

    [Fact]
    public void Tied_head_reuses_the_embedding_weight_node()
    {
        var c = Configs.Small(tied: true);
        var g = Build(c, 2, allLogits: true);
        Assert.Same(g.Find("inp_embd")!.Inputs[0], g.Find("logits")!.Inputs[1]);
    }

    [Fact]
    public void Rope_constant_holds_inverse_frequencies()
    {
        var g = Build(Configs.Small(), 1, allLogits: false);
        var invFreq = g.Find("rope_inv_freq")!;
        Assert.Equal(OpKind.Constant, invFreq.Op);
        Assert.Equal(8, invFreq.Constant!.Length);
        Assert.Equal(0.1f, invFreq.Constant[2], 6);  // 10000^(-4/16)
    }

    [Fact]
    public void Cache_of_the_wrong_width_is_rejected()
    {
        var c = Configs.Small();
        var builder = ArchitectureRegistry.Get("llama").Bind(c, FakeTensorSource.For(c, WeightNaming.HuggingFace), WeightNaming.HuggingFace);
        var wrong = FakeStateBuffer.Cache(c with { KvHeadCount = 4 });
        Assert.Throws<HearthException>(() => builder.Build(2, wrong, true));
        Assert.Throws<HearthException>(() => builder.Build(0, FakeStateBuffer.Cache(c), true));
    }
}
