using Hearth.Formats.Gguf;
using Hearth.Models;
using Hearth.Runtime.Benchmarking;
using Hearth.Testing;

namespace Hearth.Runtime.Tests;

public class BenchModelCostTests
{
    // The tiny models of tools/reference/make_tiny_models.py: dim 64, 2 layers, head dim 16,
    // 4 heads, ffn 96, vocab 320; llama3-gqa has 2 KV heads and a rope_freqs [8] tensor.
    private const int Dim = 64, Layers = 2, KvDim = 2 * 16, Ffn = 96, Vocab = 320;
    private const long LayerMatrixElements = Dim * Dim + KvDim * Dim + KvDim * Dim + Dim * Dim + 3L * Ffn * Dim;

    [Fact]
    public void Untied_f32_counts_everything_but_the_embedding_table()
    {
        long perLayer = LayerMatrixElements * 4 + 2 * Dim * 4;                    // matrices + two norms, F32
        long expected = Layers * perLayer + 8 * 4 + Dim * 4 + (long)Vocab * Dim * 4; // + rope_freqs, output norm, LM head
        using var model = Model.Load(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"));
        var cost = ModelCost.Of(model);
        Assert.Equal(expected, cost.WeightBytesPerToken);
        Assert.False(cost.TiedEmbeddings);
        Assert.Equal(expected + (long)Vocab * Dim * 4, cost.SizeBytes);
        Assert.Equal("F32", cost.WeightType);
    }

    [Fact]
    public void Q8_0_matrices_cost_34_bytes_per_32_weights()
    {
        long perLayer = LayerMatrixElements * 34 / 32 + 2 * Dim * 4;
        long expected = Layers * perLayer + 8 * 4 + Dim * 4 + (long)Vocab * Dim * 34 / 32;
        using var model = Model.Load(RepoPaths.Tiny("llama3-gqa/model-q8_0.gguf"));
        var cost = ModelCost.Of(model);
        Assert.Equal(expected, cost.WeightBytesPerToken);
        Assert.Equal("Q8_0", cost.WeightType);
    }

    [Fact]
    public void Tied_embeddings_are_counted_once_as_the_lm_head()
    {
        // qwen2-bias-tied: q/k/v biases, no output.weight.
        long perLayer = LayerMatrixElements * 4 + (2 * Dim + Dim + 2 * KvDim) * 4;
        long expected = Layers * perLayer + Dim * 4 + (long)Vocab * Dim * 4;
        using var model = Model.Load(RepoPaths.Tiny("qwen2-bias-tied/model-f32.gguf"));
        var cost = ModelCost.Of(model);
        Assert.True(cost.TiedEmbeddings);
        Assert.Equal(expected, cost.WeightBytesPerToken);
        Assert.Equal(expected, cost.SizeBytes);
    }

    [Fact]
    public void Parameter_count_and_size_agree_with_the_gguf_tensor_list()
    {
        var path = RepoPaths.Tiny("llama3-gqa/model-q8_0.gguf");
        using var file = GgufFile.Open(path);
        long elements = file.Tensors.Sum(t => t.Shape.ElementCount);
        long bytes = file.Tensors.Sum(t => t.ByteLength);
        using var model = Model.Load(path);
        var cost = ModelCost.Of(model);
        Assert.Equal(elements, cost.ParameterCount);
        Assert.Equal(bytes, cost.SizeBytes);
    }

    [Fact]
    public void Step_flops_are_two_per_matrix_weight_plus_causal_attention()
    {
        using var model = Model.Load(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"));
        var cost = ModelCost.Of(model);
        long matrices = Layers * LayerMatrixElements + (long)Vocab * Dim;
        Assert.Equal(matrices, cost.MatMulParameters);
        // One token at position 9 attends to 10 positions: q.k and p.v, 2 FLOPs each, per head element, per layer.
        Assert.Equal(2.0 * matrices + 4.0 * (4 * 16) * Layers * 10, cost.StepFlops(1, 9));
        // Three tokens from position 0 attend to 1 + 2 + 3 positions.
        Assert.Equal(2.0 * matrices * 3 + 4.0 * (4 * 16) * Layers * 6, cost.StepFlops(3, 0));
    }
}
