using Hearth.Core;
using Hearth.Runtime.Generation;
using Hearth.Runtime.Tests.Fakes;

namespace Hearth.Runtime.Tests;

public class GeneratorTests
{
    private static (Generator Generator, ScriptedDevice Device, ScriptedModel Model) Create(string recite, int promptLength,
        GeneratorOptions? options = null, bool cycle = false, int modelContext = 64)
    {
        var model = new ScriptedModel(modelContext);
        var device = ScriptedDevice.Reciting(recite, promptLength, cycle);
        return (new Generator(model, device, options), device, model);
    }

    private static (List<GeneratedToken> Tokens, string Text) RunToEnd(Generator generator)
    {
        var tokens = new List<GeneratedToken>();
        while (!generator.IsDone) tokens.Add(generator.GenerateNextToken());
        return (tokens, string.Concat(tokens.Select(t => t.Text)));
    }

    [Fact]
    public void Prefill_runs_once_over_the_prompt_then_decode_feeds_one_token_at_a_time()
    {
        var (generator, device, model) = Create("hello", promptLength: 3);
        generator.AppendTokens([0, 5, 6]);
        var (tokens, text) = RunToEnd(generator);

        Assert.Equal("hello", text);
        Assert.Equal(StopReason.Eos, generator.StopReason);
        Assert.Equal(CharTokenizer.Eos, tokens[^1].Id);
        Assert.Equal([0, 1, 2], device.Runs[0].Positions);
        Assert.Equal([0, 5, 6], device.Runs[0].Tokens);
        // Each generated token but the last (EOS) is fed back once, at its own position.
        Assert.Equal(5, device.Runs.Count - 1);
        for (int i = 1; i < device.Runs.Count; i++)
        {
            Assert.Equal([2 + i], device.Runs[i].Positions);
            Assert.Equal([tokens[i - 1].Id], device.Runs[i].Tokens);
        }
        Assert.Equal(2, device.Compiles); // T = 3 and T = 1, each compiled once
        Assert.Equal(2, model.GraphsBuilt);
    }

    [Fact]
    public void Max_new_tokens_stops_the_turn()
    {
        var (generator, _, _) = Create("abcdefgh", 2, new GeneratorOptions { MaxNewTokens = 3 });
        generator.AppendTokens([0, 4]);
        var (tokens, text) = RunToEnd(generator);
        Assert.Equal(3, tokens.Count);
        Assert.Equal("abc", text);
        Assert.Equal(StopReason.MaxTokens, generator.StopReason);
    }

    [Fact]
    public void Stop_string_ends_generation_without_emitting_it()
    {
        var (generator, _, _) = Create("say hi. user: more", 1, new GeneratorOptions { StopStrings = ["user:"] });
        generator.AppendTokens([0]);
        var (tokens, text) = RunToEnd(generator);
        Assert.Equal(StopReason.StopString, generator.StopReason);
        Assert.Equal("say hi. ", text);
        Assert.All(tokens, t => Assert.DoesNotContain("u", t.Text));
    }

    [Fact]
    public void Held_back_text_is_released_when_another_condition_stops_generation()
    {
        var (generator, _, _) = Create("ab us", 1, new GeneratorOptions { StopStrings = ["user:"], MaxNewTokens = 5 });
        generator.AppendTokens([0]);
        var (tokens, text) = RunToEnd(generator);
        Assert.Equal(StopReason.MaxTokens, generator.StopReason);
        Assert.Equal("ab us", text);
        Assert.Equal("", tokens[3].Text); // "u" was held back until the end
    }

    [Fact]
    public void Reaching_the_context_stops_with_context_full_instead_of_failing()
    {
        var (generator, device, _) = Create("abc", 3, new GeneratorOptions { ContextLength = 8 }, cycle: true);
        generator.AppendTokens([0, 4, 5]);
        var (tokens, _) = RunToEnd(generator);
        Assert.Equal(StopReason.ContextFull, generator.StopReason);
        Assert.Equal(5, tokens.Count);
        Assert.Equal(8, generator.Tokens.Count);
        Assert.Contains("8", generator.StopMessage, StringComparison.Ordinal);
        Assert.All(device.Runs, r => Assert.All(r.Positions, p => Assert.InRange(p, 0, 7)));
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_a_user_error_naming_both_lengths()
    {
        var (generator, device, _) = Create("abc", 3, new GeneratorOptions { ContextLength = 4 });
        var e = Assert.Throws<HearthException>(() => generator.AppendTokens([0, 4, 5, 6, 7]));
        Assert.Contains("5", e.Message, StringComparison.Ordinal);
        Assert.Contains("4", e.Message, StringComparison.Ordinal);
        Assert.Empty(device.Runs);
    }

    [Fact]
    public void A_context_beyond_the_model_maximum_is_rejected()
    {
        Assert.Throws<HearthException>(() => Create("a", 1, new GeneratorOptions { ContextLength = 100 }, modelContext: 50));
    }

    [Fact]
    public void Token_ids_outside_the_vocabulary_are_rejected_before_running()
    {
        var (generator, device, model) = Create("abc", 1);
        Assert.Throws<HearthException>(() => generator.AppendTokens([model.Config.VocabSize]));
        Assert.Throws<HearthException>(() => generator.AppendTokens([-1]));
        Assert.Empty(device.Runs);
    }

    [Fact]
    public void Rewind_regenerates_the_same_continuation()
    {
        var (generator, _, _) = Create("xyz", 2, new GeneratorOptions { MaxNewTokens = 3 });
        generator.AppendTokens([0, 4]);
        var first = RunToEnd(generator).Text;
        generator.RewindTo(2);
        Assert.Equal(2, generator.Cache.Length);
        var second = RunToEnd(generator).Text;
        Assert.Equal("xyz", first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Set_sequence_reuses_the_cache_of_the_common_prefix()
    {
        var (generator, device, _) = Create("abcdefghijkl", 3, new GeneratorOptions { MaxNewTokens = 2 }, cycle: true);
        generator.SetSequence([0, 4, 5]);
        RunToEnd(generator);
        int runsBefore = device.Runs.Count;
        generator.SetSequence([0, 4, 5, 9, 9]);
        Assert.Equal([3, 4], device.Runs[runsBefore].Positions); // only the new suffix ran
        generator.SetSequence([0, 4, 5, 9, 9]);
        Assert.Equal([4], device.Runs[^1].Positions); // identical sequence: the last token reruns for fresh logits
    }

    [Fact]
    public void Appending_after_a_finished_turn_feeds_the_last_generated_token_too()
    {
        var (generator, device, _) = Create("ab", 1, new GeneratorOptions { MaxNewTokens = 2 }, cycle: true);
        generator.AppendTokens([0]);
        var (tokens, _) = RunToEnd(generator);
        generator.AppendTokens([7]);
        Assert.Equal([tokens[^1].Id, 7], device.Runs[^1].Tokens);
        Assert.Equal([2, 3], device.Runs[^1].Positions);
        Assert.False(generator.IsDone);
    }

    [Fact]
    public void Ignore_eos_keeps_generating()
    {
        var (generator, _, _) = Create("a", 1, new GeneratorOptions { IgnoreEos = true, MaxNewTokens = 4 });
        generator.AppendTokens([0]);
        var (tokens, text) = RunToEnd(generator);
        Assert.Equal(StopReason.MaxTokens, generator.StopReason);
        Assert.Equal(CharTokenizer.Eos, tokens[1].Id);
        Assert.Equal("a", text); // EOS is special: skipped in the text
    }

    [Fact]
    public void Timings_count_prefill_and_decode_tokens()
    {
        var (generator, _, _) = Create("abcd", 3, new GeneratorOptions { MaxNewTokens = 4 });
        generator.AppendTokens([0, 4, 5]);
        RunToEnd(generator);
        var timings = generator.Timings;
        Assert.Equal(3, timings.PrefillTokens);
        Assert.Equal(3, timings.DecodeTokens); // the 4th token is not fed back
        Assert.Equal(4, timings.GeneratedTokens);
        Assert.NotNull(timings.TimeToFirstToken);
    }

    [Fact]
    public void Generating_after_done_is_a_programming_error()
    {
        var (generator, _, _) = Create("", 1);
        generator.AppendTokens([0]);
        RunToEnd(generator);
        Assert.Throws<InvalidOperationException>(() => generator.GenerateNextToken());
    }

    [Fact]
    public void Logits_are_those_of_the_sampled_step()
    {
        var (generator, _, _) = Create("q", 1);
        generator.AppendTokens([0]);
        var token = generator.GenerateNextToken();
        Assert.Equal(token.Id, Sampling.Sampler.Argmax(generator.Logits));
    }
}
