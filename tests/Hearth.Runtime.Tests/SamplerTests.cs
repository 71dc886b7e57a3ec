using Hearth.Core;
using Hearth.Runtime.Sampling;

namespace Hearth.Runtime.Tests;

public class SamplerTests
{
    private static float[] LogProbs(params double[] probabilities) => [.. probabilities.Select(p => (float)Math.Log(p))];

    [Fact]
    public void Greedy_picks_the_largest_logit_and_the_lowest_id_on_ties()
    {
        var sampler = new Sampler(SamplerOptions.Greedy);
        Assert.Equal(1, sampler.Sample([1f, 3f, 3f, 2f], []));
        Assert.Equal(0, sampler.Sample([7f, 7f, 7f], []));
        Assert.Equal(2, Sampler.Argmax([float.NaN, -1f, 4f, float.NaN]));
    }

    [Fact]
    public void Temperature_zero_ignores_the_seed()
    {
        float[] logits = [0.1f, 0.5f, 0.49f, -3f];
        for (int seed = 0; seed < 20; seed++)
            Assert.Equal(1, new Sampler(new SamplerOptions { Temperature = 0, Seed = seed, TopP = 0.5f }).Sample(logits, []));
    }

    [Fact]
    public void Top_k_one_equals_greedy_at_any_temperature()
    {
        var random = new Random(123);
        for (int trial = 0; trial < 50; trial++)
        {
            var logits = new float[40];
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)Math.Round(random.NextDouble() * 4, 1); // rounding makes ties likely
            var sampler = new Sampler(new SamplerOptions { Temperature = 1.5f, TopK = 1, Seed = trial });
            int expected = Array.IndexOf(logits, logits.Max());
            Assert.Equal(expected, sampler.Sample(logits, []));
        }
    }

    [Fact]
    public void Top_p_keeps_the_smallest_prefix_reaching_p_and_renormalizes()
    {
        var sampler = new Sampler(new SamplerOptions { Temperature = 1, TopP = 0.75f });
        var dist = sampler.Distribution(LogProbs(0.3, 0.5, 0.05, 0.15), []);
        Assert.Equal([1, 0], dist.Select(d => d.Id));
        Assert.Equal(0.625, dist[0].Probability, 4);
        Assert.Equal(0.375, dist[1].Probability, 4);
    }

    [Fact]
    public void Min_p_drops_tokens_below_a_fraction_of_the_top_probability()
    {
        var sampler = new Sampler(new SamplerOptions { Temperature = 1, MinP = 0.25f });
        var dist = sampler.Distribution(LogProbs(0.5, 0.3, 0.15, 0.05), []);
        Assert.Equal([0, 1, 2], dist.Select(d => d.Id));
        Assert.Equal(0.5 / 0.95, dist[0].Probability, 4);
        Assert.Equal(0.15 / 0.95, dist[2].Probability, 4);
    }

    [Fact]
    public void Top_k_keeps_the_k_best_in_order()
    {
        var sampler = new Sampler(new SamplerOptions { Temperature = 1, TopK = 3 });
        var dist = sampler.Distribution([0f, 5f, 1f, 5f, 4f, -2f], []);
        Assert.Equal([1, 3, 4], dist.Select(d => d.Id));
        double e = Math.Exp(-1);
        Assert.Equal(1 / (2 + e), dist[0].Probability, 4);
        Assert.Equal(e / (2 + e), dist[2].Probability, 4);
    }

    [Fact]
    public void Temperature_scales_logits_before_the_softmax()
    {
        var dist = new Sampler(new SamplerOptions { Temperature = 2 }).Distribution([0f, 2f], []);
        double expectedTop = Math.Exp(1) / (1 + Math.Exp(1));
        Assert.Equal(1, dist[0].Id);
        Assert.Equal(expectedTop, dist[0].Probability, 4);
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens()
    {
        float[] logits = [2f, -2f, 1f, 3f];
        Sampler.ApplyPenalties(logits, [0, 1, 1], new SamplerOptions { RepetitionPenalty = 2f });
        Assert.Equal([1f, -4f, 1f, 3f], logits);
    }

    [Fact]
    public void Frequency_and_presence_penalties_follow_the_openai_formula()
    {
        float[] logits = [2f, -2f, 1f];
        Sampler.ApplyPenalties(logits, [0, 1, 1, 1], new SamplerOptions { FrequencyPenalty = 0.5f, PresencePenalty = 0.25f });
        Assert.Equal(2f - (1 * 0.5f + 0.25f), logits[0], 5);
        Assert.Equal(-2f - (3 * 0.5f + 0.25f), logits[1], 5);
        Assert.Equal(1f, logits[2]);
    }

    [Fact]
    public void Penalty_window_only_counts_the_last_n_tokens()
    {
        float[] logits = [2f, 2f];
        Sampler.ApplyPenalties(logits, [0, 1], new SamplerOptions { RepetitionPenalty = 2f, PenaltyLastN = 1 });
        Assert.Equal([2f, 1f], logits);
    }

    [Fact]
    public void Penalties_change_the_greedy_choice()
    {
        var sampler = new Sampler(new SamplerOptions { RepetitionPenalty = 3f });
        Assert.Equal(1, sampler.Sample([3f, 2f], [0]));
    }

    [Fact]
    public void Same_seed_gives_the_same_draws_and_other_seeds_differ()
    {
        var logits = new float[50]; // uniform: every draw is up to the RNG
        int[] Draws(int seed)
        {
            var sampler = new Sampler(new SamplerOptions { Temperature = 1, Seed = seed });
            return [.. Enumerable.Range(0, 30).Select(_ => sampler.Sample(logits, []))];
        }
        Assert.Equal(Draws(42), Draws(42));
        Assert.NotEqual(Draws(42), Draws(43));
    }

    [Fact]
    public void Draw_frequencies_follow_the_softmax()
    {
        float[] logits = LogProbs(0.6, 0.3, 0.1);
        var sampler = new Sampler(new SamplerOptions { Temperature = 1, Seed = 7 });
        var counts = new int[3];
        const int draws = 20000;
        for (int i = 0; i < draws; i++) counts[sampler.Sample(logits, [])]++;
        Assert.InRange(counts[0] / (double)draws, 0.58, 0.62);
        Assert.InRange(counts[1] / (double)draws, 0.28, 0.32);
        Assert.InRange(counts[2] / (double)draws, 0.08, 0.12);
    }

    [Theory]
    [InlineData(-1f, 0, 1f, 0f, 1f)]
    [InlineData(1f, -1, 1f, 0f, 1f)]
    [InlineData(1f, 0, 0f, 0f, 1f)]
    [InlineData(1f, 0, 1.5f, 0f, 1f)]
    [InlineData(1f, 0, 1f, 2f, 1f)]
    [InlineData(1f, 0, 1f, 0f, 0f)]
    public void Out_of_range_options_are_user_errors(float temperature, int topK, float topP, float minP, float repetition)
    {
        var options = new SamplerOptions { Temperature = temperature, TopK = topK, TopP = topP, MinP = minP, RepetitionPenalty = repetition };
        Assert.Throws<HearthException>(() => new Sampler(options));
    }
}
