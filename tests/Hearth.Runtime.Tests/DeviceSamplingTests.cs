using Hearth.Runtime.Generation;
using Hearth.Runtime.Sampling;
using Hearth.Runtime.Tests.Serving;

namespace Hearth.Runtime.Tests;

/// <summary>
/// Sampling from device-computed top-k candidates (OpKind.TopK) instead of the whole logits row: the same tokens as the
/// whole row, for every option the sampler says it can serve from candidates, and a fallback to the row for the others.
/// </summary>
public class DeviceSamplingTests
{
    private static (float[] Values, int[] Ids) TopOf(float[] logits, int k)
    {
        // An independent selection: a full sort by (value descending, id ascending), NaN as -inf.
        var sorted = logits.Select((v, i) => (V: float.IsNaN(v) ? float.NegativeInfinity : v, I: i)).OrderByDescending(e => e.V).ThenBy(e => e.I).Take(k).ToArray();
        return ([.. sorted.Select(e => e.V)], [.. sorted.Select(e => e.I)]);
    }

    public static TheoryData<float, int, float, float> Options() => new()
    {
        { 0f, 0, 1f, 0f },       // greedy
        { 0.8f, 1, 1f, 0f },     // top-k 1
        { 0.7f, 40, 1f, 0f },
        { 1.3f, 64, 0.9f, 0f },  // top-k, then top-p inside it
        { 1f, 20, 1f, 0.05f },   // top-k, then min-p
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Candidates_give_the_tokens_of_the_whole_row(float temperature, int topK, float topP, float minP)
    {
        var random = new Random(31);
        for (int trial = 0; trial < 40; trial++)
        {
            var options = new SamplerOptions { Temperature = temperature, TopK = topK, TopP = topP, MinP = minP, Seed = trial };
            var whole = new Sampler(options);
            var fromCandidates = new Sampler(options);
            Assert.True(fromCandidates.CanSampleFromTopK(64));
            for (int step = 0; step < 8; step++)
            {
                var logits = new float[1000];
                // Rounded values make ties (and ties after the temperature scaling) likely.
                for (int i = 0; i < logits.Length; i++) logits[i] = (float)Math.Round(random.NextDouble() * 6 - 3, step % 2 == 0 ? 1 : 4);
                if (step == 3) logits[17] = float.NaN;
                var (values, ids) = TopOf(logits, 64);
                Assert.Equal(whole.Sample(logits, []), fromCandidates.SampleTopK(values, ids));
            }
        }
    }

    // Two logits that differ before the temperature scaling and tie after it: the whole row orders them by id, so must
    // the candidates (which arrive ordered by the raw value).
    [Fact]
    public void Ties_made_by_the_temperature_break_by_id()
    {
        float invTemperature = 1f / 3f;
        float a = 1f;
        while (a * invTemperature != MathF.BitIncrement(a) * invTemperature) a = MathF.BitIncrement(a);
        var logits = Enumerable.Repeat(-30f, 50).ToArray();
        logits[2] = a;
        logits[5] = MathF.BitIncrement(a);  // larger, higher id: first among the candidates, second in the row
        var (values, ids) = TopOf(logits, 8);
        Assert.Equal(5, ids[0]);
        for (int seed = 0; seed < 20; seed++)
        {
            var options = new SamplerOptions { Temperature = 3f, TopK = 8, Seed = seed };
            Assert.Equal(new Sampler(options).Sample(logits, []), new Sampler(options).SampleTopK(values, ids));
        }
    }

    [Fact]
    public void Options_that_need_the_whole_row_say_so()
    {
        Assert.False(new Sampler(new SamplerOptions { Temperature = 1, TopP = 0.9f }).CanSampleFromTopK(64));   // no top-k
        Assert.False(new Sampler(new SamplerOptions { Temperature = 1, TopK = 65 }).CanSampleFromTopK(64));
        Assert.False(new Sampler(new SamplerOptions { Temperature = 0, RepetitionPenalty = 1.1f }).CanSampleFromTopK(64));
        Assert.False(new Sampler(new SamplerOptions { Temperature = 1, TopK = 10, PresencePenalty = 0.5f }).CanSampleFromTopK(64));
        Assert.True(new Sampler(SamplerOptions.Greedy).CanSampleFromTopK(1));
        var sampler = new Sampler(new SamplerOptions { Temperature = 1, TopP = 0.9f });
        Assert.Throws<InvalidOperationException>(() => sampler.SampleTopK([1f], [0]));
    }

    public static TheoryData<string, float, int, float> ModelCases() => new()
    {
        { "cpu", 0f, 0, 1f },
        { "cpu", 0.9f, 40, 1f },
        { "cpu", 0.9f, 0, 0.9f },     // not servable from candidates: the row is read, same tokens
        { "vulkan", 0f, 0, 1f },
        { "vulkan", 0.9f, 40, 0.95f },
    };

    // The shipped model: a generator whose steps return only the top 64 candidates produces the same tokens as one that
    // reads every row, greedy and sampled (the default on a GPU; asked for explicitly here, lavapipe and the CPU read rows).
    [Theory]
    [MemberData(nameof(ModelCases))]
    public void Generators_with_and_without_device_candidates_agree(string backend, float temperature, int topK, float topP)
    {
        if (!File.Exists(ShippedModelEngineTests.Golden)) return;  // the shipped model is part of the repository
        if (backend == "vulkan" && !Hearth.Backends.Vulkan.VulkanBackends.TryListDevices(out _, out _)) return;  // no Vulkan loader or device
        using var model = HearthModel.Load(ShippedModelEngineTests.Folder, new HearthModelOptions { Backend = backend });
        var sampling = new SamplerOptions { Temperature = temperature, TopK = topK, TopP = topP, Seed = 5 };
        int[] Run(int deviceTopK, out bool onDevice)
        {
            using var g = model.CreateGenerator(new GeneratorOptions { ContextLength = 256, Sampling = sampling, DeviceTopK = deviceTopK, MaxNewTokens = 40, IgnoreEos = true });
            g.AppendTokens(model.Tokenizer.Encode("Once upon a time", addSpecialTokens: true));
            onDevice = g.SamplesOnDevice;
            var ids = new List<int>();
            while (!g.IsDone) ids.Add(g.GenerateNextToken().Id);
            return [.. ids];
        }
        var withCandidates = Run(GeneratorOptions.DefaultDeviceTopK, out bool onDevice);
        var withRows = Run(0, out bool rowsOnDevice);
        Assert.Equal(new Sampler(sampling).CanSampleFromTopK(GeneratorOptions.DefaultDeviceTopK), onDevice);
        Assert.False(rowsOnDevice);
        Assert.Equal(40, withRows.Length);
        Assert.Equal(withRows, withCandidates);
    }
}
