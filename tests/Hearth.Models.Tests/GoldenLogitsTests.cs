namespace Hearth.Models.Tests;

/// <summary>
/// The key test: every tiny model variant (HF folder and GGUF file, every stored dtype) runs prefill
/// and decode on the cpu-ref device and matches the logits of the independent PyTorch reference
/// (tools/reference/llama_ref.py). The f16/bf16/q8_0/q4_0 goldens were computed in float32 from the
/// same rounded / dequantized weights, so every dtype is held to the same tolerance: only float32
/// accumulation order differs.
/// </summary>
public class GoldenLogitsTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (variant, dtype) in TestData.Goldens())
        {
            foreach (var kind in TestData.LoadGolden(variant, dtype).ModelFiles.Keys.Order(StringComparer.Ordinal))
                data.Add(variant, dtype, kind);
        }
        return data;
    }

    [Fact]
    public void Test_data_is_present() =>
        Assert.True(TestData.Goldens().Count() >= 9, $"expected the tiny model goldens under {TestData.Tiny}; run tools/reference/make_tiny_models.py");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Prefill_and_decode_match_reference(string variant, string dtype, string kind)
    {
        var golden = TestData.LoadGolden(variant, dtype);
        using var model = Model.Load(Path.Combine(TestData.Tiny, variant, golden.ModelFiles[kind]));
        int vocab = model.Config.VocabSize;
        Assert.Equal(golden.PrefillLogits[0].Length, vocab);
        using var runner = new ModelRunner(model);

        var prefill = runner.Prefill(golden.PromptIds, 0, allLogits: true);
        for (int t = 0; t < golden.PromptIds.Length; t++)
            AssertClose(golden.PrefillLogits[t], prefill.AsSpan(t * vocab, vocab), $"{variant} {dtype} {kind} prefill row {t}");
        Assert.Equal(golden.GeneratedIds[0], ModelRunner.ArgMax(prefill.AsSpan((golden.PromptIds.Length - 1) * vocab, vocab)));

        for (int k = 0; k < golden.DecodeSteps.Length; k++)
        {
            var step = golden.DecodeSteps[k];
            Assert.Equal(golden.GeneratedIds[k], step.InputId);
            var logits = runner.Decode(step.InputId, step.Position);
            AssertClose(step.Logits, logits, $"{variant} {dtype} {kind} decode step {k} (position {step.Position})");
            Assert.Equal(golden.GeneratedIds[k + 1], ModelRunner.ArgMax(logits));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Last_row_graph_equals_last_row_of_all_logits(string variant, string dtype, string kind)
    {
        var golden = TestData.LoadGolden(variant, dtype);
        using var model = Model.Load(Path.Combine(TestData.Tiny, variant, golden.ModelFiles[kind]));
        using var runner = new ModelRunner(model);
        var last = runner.Prefill(golden.PromptIds, 0, allLogits: false);
        Assert.Equal(model.Config.VocabSize, last.Length);
        AssertClose(golden.PrefillLogits[^1], last, $"{variant} {dtype} {kind} last row");
    }

    [Theory]
    [InlineData("llama2-mha")]
    [InlineData("llama3-gqa")]
    [InlineData("llama-linear-rope")]
    [InlineData("qwen2-bias-tied")]
    [InlineData("mistral-swa")]
    public void Hf_and_gguf_copies_give_the_same_logits(string variant)
    {
        var golden = TestData.LoadGolden(variant, "f32");
        float[] Run(string kind)
        {
            using var model = Model.Load(Path.Combine(TestData.Tiny, variant, golden.ModelFiles[kind]));
            using var runner = new ModelRunner(model);
            return runner.Prefill(golden.PromptIds, 0, allLogits: true);
        }
        AssertClose(Run("hf"), Run("gguf"), $"{variant} hf vs gguf");
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Assert.True(worst <= Tolerance, $"{what}: max abs diff {worst:g4} at logit {at} (expected {expected[at]}, got {actual[at]})");
    }
}
