using System.Text.Json;
using Hearth.Formats.Gguf;

namespace Hearth.Cli.Tests;

/// <summary>hearth quantize end to end on the tiny model: the file, the report and the user errors.</summary>
public class QuantizeCommandTests
{
    [TinyModelFact("llama3-gqa/model-f32.gguf")]
    public void Quantize_writes_a_gguf_that_generate_can_run_and_reports_sizes()
    {
        string output = Path.Combine(Path.GetTempPath(), $"hearth-cli-q-{Guid.NewGuid():N}.gguf");
        try
        {
            var result = CliRunner.Run("quantize", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--type", "q8_0", "--output", output, "--json");
            Assert.True(result.ExitCode == 0, result.Error);
            var json = JsonDocument.Parse(result.Out).RootElement;
            Assert.Equal("Q8_0", json.GetProperty("type").GetString());
            Assert.Equal(new FileInfo(output).Length, json.GetProperty("file_bytes").GetInt64());
            Assert.InRange(json.GetProperty("bits_per_weight").GetDouble(), 8.0, 9.0);
            Assert.Contains("100.0%", result.Error); // the progress bar ends full
            using (var file = GgufFile.Open(output)) Assert.Equal(7L, file.Metadata["general.file_type"].AsInt64());

            var generate = CliRunner.Run("generate", "--model", output, "--prompt-ids", "306,285,144", "--max-tokens", "3", "--json");
            Assert.True(generate.ExitCode == 0, generate.Error);

            var text = CliRunner.Run("quantize", "--model", CliRunner.TinyPath("llama3-gqa/model-f32.gguf"), "--type", "Q4_0", "--output", output);
            Assert.Equal(0, text.ExitCode);
            Assert.Contains("note: output.weight", text.Out);
            Assert.Contains("bits per weight", text.Out);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Unknown_type_is_a_usage_error_listing_the_presets()
    {
        var result = CliRunner.Run("quantize", "--model", "x", "--type", "Q9_9", "--output", "y.gguf");
        Assert.Equal(HearthCli.UsageError, result.ExitCode);
        Assert.Contains("Q4_K_M", result.Error);
    }

    [Fact]
    public void Missing_input_is_a_user_error()
    {
        var result = CliRunner.Run("quantize", "--model", "/nonexistent/model.gguf", "--type", "Q8_0", "--output", Path.Combine(Path.GetTempPath(), "never.gguf"));
        Assert.Equal(HearthCli.UserError, result.ExitCode);
        Assert.Contains("not found", result.Error);
    }
}
