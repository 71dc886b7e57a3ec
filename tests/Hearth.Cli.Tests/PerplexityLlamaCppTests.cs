using System.Text.Json;

namespace Hearth.Cli.Tests;

/// <summary>
/// `hearth perplexity` against llama.cpp's llama-perplexity on the same GGUF and text (same tokens, same
/// chunks, same PPL and standard error). Golden: tests/data/perplexity/llama-cpp.json, written with the
/// command it records; regenerate it whenever models/hearth-tiny is retrained.
/// </summary>
public class PerplexityLlamaCppTests
{
    private static readonly string Folder = Path.Combine(CliRunner.RepoRoot, "tests", "data", "perplexity");

    [Fact]
    public void Perplexity_equals_llama_cpp_on_the_shipped_model()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "llama-cpp.json")));
        var g = golden.RootElement;
        var model = Path.Combine(CliRunner.RepoRoot, g.GetProperty("model").GetString()!);
        var text = Path.Combine(Folder, g.GetProperty("text").GetString()!);
        Assert.Equal(g.GetProperty("model_sha256").GetString(),
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model))));

        var result = CliRunner.Run("perplexity", "--model", model, "--file", text, "--context", g.GetProperty("context").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        var ours = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(g.GetProperty("chunks").GetInt32(), ours.GetProperty("chunks").GetInt32());
        double ppl = g.GetProperty("ppl").GetDouble(), stderr = g.GetProperty("ppl_stderr").GetDouble();
        // llama.cpp prints 4 decimals of PPL and 5 of its error; F32 logits agree to ~1e-6 relative.
        Assert.Equal(ppl, ours.GetProperty("ppl").GetDouble(), ppl * 2e-5 + 1e-4);
        Assert.Equal(stderr, ours.GetProperty("ppl_stderr").GetDouble(), stderr * 1e-3 + 1e-5);
    }
}
