using System.Text.Json;
using System.Xml.Linq;
using Hearth.Core;
using Hearth.Runtime.Benchmarking;
using Hearth.Testing;

namespace Hearth.Runtime.Tests;

/// <summary>One short bench of the tiny model shared by the tests of its figures and outputs.</summary>
public sealed class TinyBenchFixture
{
    public static readonly BenchOptions Options = new()
    {
        Backend = "cpu-ref",
        Threads = 2,
        PromptTokens = 8,
        GenerationTokens = 4,
        DecodeTokens = 5,
        Repetitions = 2,
        BandwidthBufferBytes = 16L << 20,
        PeakFlopsSeconds = 0.01,
    };

    public BenchReport Report { get; } = BenchRunner.Run(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"), Options);
}

public class BenchRunTests(TinyBenchFixture fixture) : IClassFixture<TinyBenchFixture>
{
    private BenchReport Report => fixture.Report;

    [Fact]
    public void Runs_pp_tg_and_decode_with_every_repetition()
    {
        Assert.Equal(["pp8", "tg4", "decode-5"], Report.Tests.Select(t => t.Name));
        Assert.Equal([8, 4, 4], Report.Tests.Select(t => t.Tokens)); // decode counts the 4 steps after the first token
        foreach (var t in Report.Tests)
        {
            Assert.Equal(2, t.Seconds.Count);
            Assert.All(t.Seconds, s => Assert.True(s > 0));
            Assert.True(t.TokensPerSecond.Mean > 0);
            // ms/token and t/s describe the same runs.
            Assert.Equal(t.Seconds.Average() * 1000 / t.Tokens, t.MillisecondsPerToken.Mean, 9);
        }
        Assert.Equal("cpu-ref", Report.Backend);
        Assert.Null(Report.BackendThreads); // cpu-ref takes no thread count
        Assert.Empty(Report.Skipped);
    }

    [Fact]
    public void Gigabytes_per_second_is_weight_bytes_per_token_times_rate()
    {
        var tg = Report.Tests.Single(t => t.Kind == BenchTestKind.Generation);
        Assert.Equal(Report.Cost.WeightBytesPerToken, tg.WeightBytesPerToken);
        Assert.Equal(Report.Cost.WeightBytesPerToken * tg.TokensPerSecond.Mean / 1e9, tg.GigabytesPerSecond.Mean, 12);
        // % of roofline is GB/s over the measured bandwidth (docs/performance.md), for every test.
        foreach (var t in Report.Tests)
        {
            Assert.Equal(100 * t.GigabytesPerSecond.Mean / Report.Bandwidth.GigabytesPerSecond, t.RooflinePercent, 9);
            Assert.Equal(100 * t.FlopsPerSecond.Mean / Report.PeakFlops.FlopsPerSecond, t.ComputePercent, 9);
            // The attainable figure is against the lower of the two roofs, so it is the larger percentage.
            Assert.Equal(Math.Max(t.RooflinePercent, t.ComputePercent), t.AttainablePercent, 6);
        }
        // A P-token batch reads the weights once.
        var pp = Report.Tests.Single(t => t.Kind == BenchTestKind.Prompt);
        Assert.Equal(Report.Cost.WeightBytesPerToken / 8.0, pp.WeightBytesPerToken, 9);
    }

    [Fact]
    public void Decode_reports_ttft_and_tpot()
    {
        var decode = Report.Tests.Single(t => t.Kind == BenchTestKind.Decode);
        Assert.NotNull(decode.TimeToFirstTokenMs);
        Assert.True(decode.TimeToFirstTokenMs!.Value.Mean > 0);
        Assert.Equal(decode.MillisecondsPerToken, decode.TimePerOutputTokenMs);
        Assert.All(Report.Tests.Where(t => t.Kind != BenchTestKind.Decode), t => Assert.Null(t.TimeToFirstTokenMs));
    }

    [Fact]
    public void Json_is_valid_and_holds_every_figure()
    {
        using var doc = JsonDocument.Parse(BenchFormats.Json(Report));
        var root = doc.RootElement;
        Assert.Equal("cpu-ref", root.GetProperty("backend").GetString());
        Assert.True(root.GetProperty("machine").GetProperty("memory_read_bandwidth_gbps").GetDouble() > 0);
        Assert.Equal(Report.Cost.WeightBytesPerToken, root.GetProperty("model").GetProperty("weight_bytes_per_token").GetInt64());
        var tests = root.GetProperty("tests");
        Assert.Equal(3, tests.GetArrayLength());
        var tg = tests[1];
        Assert.Equal("tg4", tg.GetProperty("test").GetString());
        foreach (var field in new[] { "tokens_per_second", "ms_per_token", "gbps", "flops_per_second" })
        {
            Assert.True(tg.GetProperty(field).GetProperty("mean").GetDouble() > 0, field);
            Assert.True(tg.GetProperty(field).GetProperty("sd").GetDouble() >= 0, field);
        }
        Assert.Equal(2, tg.GetProperty("samples_seconds").GetArrayLength());
        Assert.True(tests[2].GetProperty("tpot_ms").GetProperty("mean").GetDouble() > 0);
    }

    [Fact]
    public void Csv_has_the_header_and_one_row_per_test()
    {
        var lines = BenchFormats.Csv(Report).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(string.Join(",", BenchFormats.CsvHeaders), lines[0]);
        Assert.Equal(4, lines.Length);
        // The device description holds commas and parentheses: quoted, so a simple quote-aware split finds every column.
        foreach (var line in lines.Skip(1)) Assert.Equal(BenchFormats.CsvHeaders.Count, SplitCsv(line).Count);
        Assert.Contains(",tg4,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_is_a_table_with_the_llama_bench_columns()
    {
        var lines = BenchFormats.Markdown(Report).Split('\n');
        Assert.Equal("| model | size | params | backend | threads | test | t/s | GB/s | % roofline |", lines[0].TrimEnd());
        Assert.StartsWith("| ---", lines[1], StringComparison.Ordinal);
        Assert.Contains("| pp8 |", lines[2], StringComparison.Ordinal);
        Assert.Equal(10, lines[2].Count(c => c == '|'));
    }

    [Fact]
    public void Roofline_svg_is_well_formed_with_one_point_per_test()
    {
        var svg = XDocument.Parse(RooflineSvg.Render(Report));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Equal(3, svg.Descendants(ns + "circle").Count(c => (string?)c.Attribute("class") == "point"));
        Assert.Single(svg.Descendants(ns + "polyline"));
        var texts = string.Join("\n", svg.Descendants(ns + "text").Select(t => t.Value));
        Assert.Contains("tg4", texts, StringComparison.Ordinal);
        Assert.Contains("GB/s", texts, StringComparison.Ordinal);
    }

    [Fact]
    public void A_test_longer_than_the_context_is_an_error_naming_it_unless_skippable()
    {
        var path = RepoPaths.Tiny("llama3-gqa/model-f32.gguf");
        var tooLong = TinyBenchFixture.Options with { PromptTokens = 200, GenerationTokens = 0, DecodeTokens = 0 };
        var e = Assert.Throws<HearthException>(() => BenchRunner.Run(path, tooLong));
        Assert.Contains("pp200", e.Message, StringComparison.Ordinal);
        Assert.Contains("128", e.Message, StringComparison.Ordinal);

        var skippable = TinyBenchFixture.Options with { DecodeTokens = 512, PromptTokens = 0, SkipIfTooLong = new HashSet<BenchTestKind> { BenchTestKind.Decode } };
        var report = BenchRunner.Run(path, skippable);
        Assert.Equal(["tg4"], report.Tests.Select(t => t.Name));
        Assert.Contains(report.Skipped, s => s.Contains("decode-512", StringComparison.Ordinal));
    }

    [Fact]
    public void Depth_runs_pp_and_tg_after_that_many_cached_tokens_and_counts_their_attention()
    {
        var path = RepoPaths.Tiny("llama3-gqa/model-f32.gguf");
        var report = BenchRunner.Run(path, TinyBenchFixture.Options with { Depth = 100 });
        Assert.Equal(["pp8 @ d100", "tg4 @ d100", "decode-5"], report.Tests.Select(t => t.Name));
        Assert.Equal([100, 100, 0], report.Tests.Select(t => t.Depth));
        var pp = report.Tests[0];
        var tg = report.Tests[1];
        // Positions 100.. attend to the cached tokens too (decode-<D> still starts empty).
        Assert.Equal(report.Cost.StepFlops(8, 100) / 8, pp.FlopsPerToken, 6);
        Assert.Equal(Enumerable.Range(100, 4).Sum(p => report.Cost.StepFlops(1, p)) / 4, tg.FlopsPerToken, 6);
        Assert.True(pp.FlopsPerToken > Report.Tests[0].FlopsPerToken);
        Assert.Equal(Report.Tests[2].FlopsPerToken, report.Tests[2].FlopsPerToken);
        using var doc = JsonDocument.Parse(BenchFormats.Json(report));
        Assert.Equal(100, doc.RootElement.GetProperty("tests")[1].GetProperty("depth").GetInt32());

        // The depth counts against the context: 125 + 8 positions do not fit the model's 128.
        var e = Assert.Throws<HearthException>(() => BenchRunner.Run(path, TinyBenchFixture.Options with { Depth = 125 }));
        Assert.Contains("pp8 @ d125 needs a context of 133", e.Message, StringComparison.Ordinal);
        Assert.Throws<HearthException>(() => BenchRunner.Run(path, TinyBenchFixture.Options with { Depth = -1 }));
    }

    [Fact]
    public void Parallel_runs_b_sequences_through_the_batching_engine_and_counts_their_decode_tokens()
    {
        var path = RepoPaths.Tiny("llama3-gqa/model-f32.gguf");
        var options = TinyBenchFixture.Options with { PromptTokens = 0, DecodeTokens = 0, GenerationTokens = 5, Parallel = [1, 3], ParallelPromptTokens = 7 };
        var report = BenchRunner.Run(path, options);
        Assert.Equal(["tg5", "tg5 x1", "tg5 x3"], report.Tests.Select(t => t.Name));
        var one = report.Tests[1];
        var three = report.Tests[2];
        Assert.Equal([BenchTestKind.Parallel, BenchTestKind.Parallel], new[] { one.Kind, three.Kind });
        Assert.Equal([1, 3], new[] { one.Batch, three.Batch });
        Assert.Equal([4, 12], new[] { one.Tokens, three.Tokens }); // B x (N - 1) decode tokens
        Assert.Equal([7, 7], new[] { one.Depth, three.Depth });    // each sequence's prompt
        // A step of 3 sequences reads the weights once for 3 tokens; its FLOPs are the 3 sequences' decode steps.
        Assert.Equal(report.Cost.WeightBytesPerToken / 3.0, three.WeightBytesPerToken, 9);
        Assert.Equal(Enumerable.Range(7, 4).Sum(p => report.Cost.StepFlops(1, p)) / 4, three.FlopsPerToken, 6);
        foreach (var t in new[] { one, three })
        {
            Assert.Equal(options.Repetitions, t.Seconds.Count);
            Assert.True(t.TimeToFirstTokenMs!.Value.Mean > 0);
            Assert.True(t.TimePerOutputTokenMs!.Value.Mean > 0);
        }
        var notes = string.Join("\n", BenchFormats.Notes(report));
        Assert.Contains("each a 7-token prompt", notes, StringComparison.Ordinal);
        Assert.Matches(@"tg5 x3: \d+\.\d\dx the x1 rate", notes);
        using var doc = JsonDocument.Parse(BenchFormats.Json(report));
        Assert.Equal(3, doc.RootElement.GetProperty("tests")[2].GetProperty("batch").GetInt32());

        // Each sequence holds its prompt and its tokens: 120 + 9 do not fit the model's 128.
        var e = Assert.Throws<HearthException>(() => BenchRunner.Run(path, options with { GenerationTokens = 9, ParallelPromptTokens = 120 }));
        Assert.Contains("tg9 x1 needs a context of 129", e.Message, StringComparison.Ordinal);
        Assert.Throws<HearthException>(() => BenchRunner.Run(path, options with { GenerationTokens = 1 }));
        Assert.Throws<HearthException>(() => BenchRunner.Run(path, options with { Parallel = [0] }));
        Assert.Throws<HearthException>(() => BenchRunner.Run(path, options with { ParallelPromptTokens = 0 }));
    }

    [Fact]
    public void Unknown_backend_is_a_user_error()
    {
        var e = Assert.Throws<HearthException>(() =>
            BenchRunner.Run(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"), TinyBenchFixture.Options with { Backend = "no-such-backend" }));
        Assert.Contains("no-such-backend", e.Message, StringComparison.Ordinal);
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
