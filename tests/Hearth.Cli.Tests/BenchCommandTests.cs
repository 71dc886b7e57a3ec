using System.Text.Json;
using System.Xml.Linq;

namespace Hearth.Cli.Tests;

public class BenchCommandTests
{
    private const string Tiny = "llama3-gqa/model-f32.gguf";

    // Small probes keep each run well under a second or two.
    private static CliResult Bench(params string[] args) =>
        CliRunner.Run(["bench", "--model", CliRunner.TinyPath(Tiny), "--bandwidth-buffer-mib", "16", "-r", "2", .. args]);

    [Theory]
    [InlineData("bench", "--output", "xml")]
    [InlineData("bench", "-r", "0")]
    [InlineData("bench", "-p", "-1")]
    [InlineData("bench", "-n", "many")]
    [InlineData("bench", "-d", "1")]
    [InlineData("bench", "-t", "0")]
    [InlineData("bench", "-p", "0", "-n", "0", "-d", "0")]
    [InlineData("bench", "--bandwidth-buffer-mib", "0")]
    [InlineData("bench", "--depth", "-1")]
    [InlineData("bench", "--no-such-flag")]
    [InlineData("bench", "--parallel", "0")]
    [InlineData("bench", "--parallel", "1,x")]
    [InlineData("bench", "--parallel", "4", "-n", "1")]
    [InlineData("bench", "--parallel", "4", "--parallel-prompt", "0")]
    public void Bad_flags_exit_with_code_2(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void A_missing_model_is_a_user_error()
    {
        var result = CliRunner.Run("bench", "--model", "/no/such/model.gguf");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/no/such/model.gguf", result.Error, StringComparison.Ordinal);
    }

    [TinyModelFact(Tiny)]
    public void Short_run_prints_the_llama_bench_table()
    {
        var result = Bench("-p", "8", "-n", "4");
        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Out.Split('\n');
        Assert.Matches(@"^model\s+size\s+params\s+backend\s+threads\s+test\s+t/s\s+GB/s\s+% roofline$", lines[0].TrimEnd());
        Assert.Contains(lines, l => l.Contains("pp8", StringComparison.Ordinal) && l.Contains(" ± ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("tg4", StringComparison.Ordinal));
        Assert.Contains("memory read bandwidth:", result.Out, StringComparison.Ordinal);
        // The default decode-512 does not fit the tiny model's 128-token context: skipped with a note.
        Assert.Contains("skipped: decode-512", result.Out, StringComparison.Ordinal);
        Assert.Contains("2 repetitions", result.Error, StringComparison.Ordinal);
    }

    [TinyModelFact(Tiny)]
    public void Json_output_parses_and_has_each_test()
    {
        var result = Bench("-p", "8", "-n", "4", "-d", "4", "-o", "json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var doc = JsonDocument.Parse(result.Out);
        var names = doc.RootElement.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("test").GetString()!).ToArray();
        Assert.Equal(["pp8", "tg4", "decode-4"], names);
        Assert.True(doc.RootElement.GetProperty("machine").GetProperty("memory_read_bandwidth_gbps").GetDouble() > 0);
    }

    [TinyModelFact(Tiny)]
    public void Parallel_adds_a_row_per_sequence_count_and_the_scaling()
    {
        var result = Bench("-p", "0", "-n", "4", "-d", "0", "--parallel", "1,2", "--parallel-prompt", "5");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(result.Out.Split('\n'), l => l.Contains("tg4 x1 ", StringComparison.Ordinal) && l.Contains(" ± ", StringComparison.Ordinal));
        Assert.Contains(result.Out.Split('\n'), l => l.Contains("tg4 x2 ", StringComparison.Ordinal));
        Assert.Matches(@"tg4 x2: \d+\.\d\dx the x1 rate", result.Out);
    }

    [TinyModelFact(Tiny)]
    public void Csv_output_starts_with_the_header()
    {
        var result = Bench("-p", "8", "-n", "0", "-d", "0", "-o", "csv");
        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Out.TrimEnd().Split('\n');
        Assert.StartsWith("model,model_path,weight_type,size_bytes,params,weight_bytes_per_token,backend,", lines[0], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    [TinyModelFact(Tiny)]
    public void Markdown_output_is_a_pipe_table()
    {
        var result = Bench("-p", "0", "-n", "4", "-d", "0", "-o", "md");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.StartsWith("| model | size | params | backend | threads | test | t/s | GB/s | % roofline |", result.Out, StringComparison.Ordinal);
        Assert.Contains("| tg4 |", result.Out, StringComparison.Ordinal);
    }

    [TinyModelFact(Tiny)]
    public void Roofline_plot_is_written_as_well_formed_svg()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hearth-roofline-{Guid.NewGuid():N}.svg");
        try
        {
            var result = Bench("-p", "8", "-n", "4", "-d", "0", "--roofline-plot", file);
            Assert.True(result.ExitCode == 0, result.Error);
            var svg = XDocument.Load(file);
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Equal(2, svg.Descendants().Count(e => e.Name.LocalName == "circle" && (string?)e.Attribute("class") == "point"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TinyModelFact(Tiny)]
    public void An_explicit_test_longer_than_the_context_is_a_user_error()
    {
        var result = Bench("-p", "512", "-n", "0", "-d", "0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pp512 needs a context of 512 tokens but the model's is 128", result.Error, StringComparison.Ordinal);
    }

    [TinyModelFact(Tiny)]
    public void An_unknown_backend_is_a_user_error()
    {
        var result = Bench("--backend", "warp-drive", "-p", "8");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unknown backend 'warp-drive'", result.Error, StringComparison.Ordinal);
    }
}
