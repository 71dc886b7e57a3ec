using System.Globalization;
using System.Text.Json;
using Hearth.Runtime;
using Hearth.Runtime.Evaluation;

namespace Hearth.Cli.Tests;

/// <summary>
/// Perplexity against an independent computation: the PyTorch golden logits of tiny llama3-gqa give the
/// expected per-token log-likelihoods (log-softmax written here, not the engine's), scored the llama.cpp way.
/// </summary>
public class PerplexityTests
{
    private static JsonElement Golden() => JsonDocument.Parse(File.ReadAllText(CliRunner.TinyPath("llama3-gqa/golden-f32.json"))).RootElement;

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Perplexity_of_two_chunks_equals_the_value_from_the_reference_logits()
    {
        var golden = Golden();
        int[] prompt = [.. golden.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())];
        double[][] logits = [.. golden.GetProperty("prefill_logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray())];
        int n = prompt.Length; // 12: one chunk is the golden prefill exactly (its first token is BOS)
        int[] tokens = [.. prompt, .. prompt, 7]; // two chunks; the trailing partial chunk is ignored

        // Independent: positions n/2 .. n-2 predict the next token; NLL = logsumexp - logit.
        var nlls = new List<double>();
        for (int chunk = 0; chunk < 2; chunk++)
        {
            for (int j = n / 2; j < n - 1; j++)
            {
                double max = logits[j].Max();
                double lse = max + Math.Log(logits[j].Sum(v => Math.Exp(v - max)));
                nlls.Add(lse - logits[j][prompt[j + 1]]);
            }
        }
        double mean = nlls.Average();
        double variance = nlls.Select(v => v * v).Average() - mean * mean;
        double expectedPpl = Math.Exp(mean);
        double expectedError = expectedPpl * Math.Sqrt(variance / (nlls.Count - 1));

        using var model = HearthModel.Load(CliRunner.TinyPath("llama3-gqa/model-f32.gguf"));
        var result = Perplexity.Evaluate(model.GenerativeModel, model.Device, tokens, n, prompt[0]);
        Assert.Equal(2, result.ChunkCount);
        Assert.Equal(nlls.Count, result.ScoredTokens);
        Assert.Equal(mean, result.MeanNll, 1e-4);
        Assert.Equal(1, result.Perplexity / expectedPpl, 1e-4);
        Assert.Equal(1, result.StandardError / expectedError, 1e-2);
    }

    [TinyModelFact("llama3-gqa/golden-f32.json")]
    public void Each_chunk_starts_with_BOS_in_place_of_its_first_token()
    {
        var golden = Golden();
        int[] prompt = [.. golden.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())];
        int[] replaced = [.. prompt];
        replaced[0] = 42; // with BOS substitution the result must not depend on the first token
        using var model = HearthModel.Load(CliRunner.TinyPath("llama3-gqa/model-f32.gguf"));
        var a = Perplexity.Evaluate(model.GenerativeModel, model.Device, [.. prompt, .. prompt], prompt.Length, prompt[0]);
        var b = Perplexity.Evaluate(model.GenerativeModel, model.Device, [.. replaced, .. replaced], prompt.Length, prompt[0]);
        Assert.Equal(a.Perplexity, b.Perplexity, 1e-9);
    }

    [TinyModelFact("llama3-gqa/model-f32.gguf")]
    public void Cli_json_reports_ppl_consistent_with_its_mean_nll_and_chunks()
    {
        string text = Path.Combine(Path.GetTempPath(), $"hearth-ppl-{Guid.NewGuid():N}.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. Numbers like 2024 are split into digits.\n", 40)));
        try
        {
            var result = CliRunner.Run("perplexity", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--file", text, "--context", "32", "--json");
            Assert.True(result.ExitCode == 0, result.Error);
            var json = JsonDocument.Parse(result.Out).RootElement;
            int tokens = json.GetProperty("text_tokens").GetInt32();
            Assert.Equal(tokens / 32, json.GetProperty("chunks").GetInt32());
            Assert.Equal(json.GetProperty("chunks").GetInt32() * (32 - 1 - 16), json.GetProperty("scored_tokens").GetInt32());
            Assert.Equal(Math.Exp(json.GetProperty("mean_nll").GetDouble()), json.GetProperty("ppl").GetDouble(), 1e-6);

            var plain = CliRunner.Run("perplexity", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--file", text, "--context", "32");
            Assert.Equal(0, plain.ExitCode);
            Assert.Contains("Final estimate: PPL = ", plain.Out);
            Assert.Contains("[1]", plain.Out);
        }
        finally
        {
            File.Delete(text);
        }
    }

    [TinyModelFact("llama3-gqa/model-f32.gguf")]
    public void A_text_shorter_than_two_chunks_is_a_user_error()
    {
        string text = Path.Combine(Path.GetTempPath(), $"hearth-ppl-{Guid.NewGuid():N}.txt");
        File.WriteAllText(text, "too short");
        try
        {
            var result = CliRunner.Run("perplexity", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--file", text, "--context", "32");
            Assert.Equal(HearthCli.UserError, result.ExitCode);
            Assert.Contains("needs at least 64", result.Error);
            var missing = CliRunner.Run("perplexity", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--file", text + ".nope");
            Assert.Equal(HearthCli.UserError, missing.ExitCode);
            Assert.Contains("not found", missing.Error);
        }
        finally
        {
            File.Delete(text);
        }
        _ = CultureInfo.InvariantCulture;
    }
}
