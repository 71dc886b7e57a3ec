using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hearth.Runtime.Benchmarking;

/// <summary>The report as llama-bench-style table cells, JSON, CSV and Markdown.</summary>
public static class BenchFormats
{
    /// <summary>The table columns: llama-bench's, then GB/s and % of the roofline.</summary>
    public static readonly IReadOnlyList<string> TableHeaders = ["model", "size", "params", "backend", "threads", "test", "t/s", "GB/s", "% roofline"];

    /// <summary>Columns holding numbers (right-aligned).</summary>
    public static readonly IReadOnlyList<int> NumericColumns = [1, 2, 4, 6, 7, 8];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IEnumerable<string[]> TableRows(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var t in report.Tests)
        {
            yield return
            [
                report.ModelLabel,
                Size(report.Cost.SizeBytes),
                Params(report.Cost.ParameterCount),
                report.Backend,
                report.BackendThreads?.ToString(Inv) ?? "-",
                t.Name,
                PlusMinus(t.TokensPerSecond, 2),
                PlusMinus(t.GigabytesPerSecond, 2),
                double.IsFinite(t.RooflinePercent) ? t.RooflinePercent.ToString("0.0", Inv) : "-",
            ];
        }
    }

    /// <summary>Lines printed under the table: machine ceilings and decode latencies.</summary>
    public static IEnumerable<string> Notes(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var b = report.Bandwidth;
        yield return string.Create(Inv, $"memory read bandwidth: {b.GigabytesPerSecond:0.00} GB/s (measured: {b.ThreadCount} threads streaming {b.BufferBytes / (1 << 20)} MiB, best of {b.Runs}{(b.Probes > 1 ? string.Create(Inv, $" in {b.Probes} probes, before and after the tests") : "")})");
        yield return string.Create(Inv, $"peak compute: {report.PeakFlops.FlopsPerSecond / 1e9:0.0} GFLOP/s F32 ({report.PeakFlops.Method}, {report.PeakFlops.ThreadCount} threads)");
        yield return "% roofline = GB/s / measured read bandwidth (docs/performance.md); --output json adds % of the FMA peak";
        yield return string.Create(Inv, $"weights read per token: {report.Cost.WeightBytesPerToken / 1e6:0.00} MB (all tensors but the token embedding{(report.Cost.TiedEmbeddings ? "; tied: read once as the LM head" : "")})");
        foreach (var t in report.Tests)
        {
            if (t.TimeToFirstTokenMs is { } ttft && t.TimePerOutputTokenMs is { } tpot)
                yield return $"{t.Name}: TTFT {PlusMinus(ttft, 2)} ms, TPOT {PlusMinus(tpot, 2)} ms";
        }
        var parallel = report.Tests.Where(t => t.Kind == BenchTestKind.Parallel).ToList();
        if (parallel.Count > 0)
        {
            yield return string.Create(Inv, $"tg<N> x<B>: B sequences at once through the batching engine (as `hearth serve`), each a {parallel[0].Depth}-token prompt then N tokens; t/s = B x (N - 1) tokens over the decode part (after every sequence's first token); TTFT = until the last sequence's first token");
            if (parallel.FirstOrDefault(t => t.Batch == 1) is { } one)
            {
                foreach (var t in parallel.Where(t => t.Batch > 1))
                    yield return string.Create(Inv, $"{t.Name}: {t.TokensPerSecond.Mean / one.TokensPerSecond.Mean:0.00}x the x1 rate");
            }
        }
        if (report.BackendThreads is null)
            yield return $"backend '{report.Backend}' takes no thread count ({report.DeviceDescription})";
        foreach (var s in report.Skipped) yield return $"skipped: {s}";
        if (report.UnoptimizedAssemblies.Count > 0)
            yield return $"warning: {string.Join(", ", report.UnoptimizedAssemblies)} built without optimisation (Debug): build with -c Release for real figures";
    }

    public static string PlusMinus(MeanSd value, int decimals)
    {
        var format = "F" + decimals.ToString(Inv);
        return $"{value.Mean.ToString(format, Inv)} ± {value.Sd.ToString(format, Inv)}";
    }

    /// <summary>llama-bench writes sizes in GiB (MiB for small models).</summary>
    public static string Size(long bytes) => bytes >= 1L << 30
        ? string.Create(Inv, $"{bytes / (double)(1L << 30):0.00} GiB")
        : string.Create(Inv, $"{bytes / (double)(1 << 20):0.00} MiB");

    public static string Params(long count) => count >= 1_000_000_000
        ? string.Create(Inv, $"{count / 1e9:0.00} B")
        : string.Create(Inv, $"{count / 1e6:0.00} M");

    // ------------------------------------------------------------------ JSON

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = report.Cost;
        var root = new JsonObject
        {
            ["model"] = new JsonObject
            {
                ["path"] = report.ModelPath,
                ["label"] = report.ModelLabel,
                ["architecture"] = report.Architecture,
                ["weight_type"] = c.WeightType,
                ["size_bytes"] = c.SizeBytes,
                ["params"] = c.ParameterCount,
                ["weight_bytes_per_token"] = c.WeightBytesPerToken,
                ["matmul_params"] = c.MatMulParameters,
                ["tied_embeddings"] = c.TiedEmbeddings,
            },
            ["backend"] = report.Backend,
            ["device"] = report.DeviceDescription,
            ["threads"] = report.BackendThreads,
            ["repetitions"] = report.Repetitions,
            ["started_at"] = report.StartedAt.ToString("O", Inv),
            ["machine"] = new JsonObject
            {
                ["memory_read_bandwidth_gbps"] = Number(report.Bandwidth.GigabytesPerSecond),
                ["bandwidth_threads"] = report.Bandwidth.ThreadCount,
                ["bandwidth_buffer_bytes"] = report.Bandwidth.BufferBytes,
                ["bandwidth_runs"] = report.Bandwidth.Runs,
                ["bandwidth_probes"] = report.Bandwidth.Probes,
                ["last_level_cache_bytes"] = report.Bandwidth.LastLevelCacheBytes,
                ["peak_flops"] = Number(report.PeakFlops.FlopsPerSecond),
                ["peak_flops_threads"] = report.PeakFlops.ThreadCount,
                ["peak_flops_method"] = report.PeakFlops.Method,
                ["logical_processors"] = Environment.ProcessorCount,
            },
            ["tests"] = new JsonArray([.. report.Tests.Select(t => (JsonNode?)TestJson(t))]),
            ["unoptimized_assemblies"] = new JsonArray([.. report.UnoptimizedAssemblies.Select(s => (JsonNode?)JsonValue.Create(s))]),
            ["skipped"] = new JsonArray([.. report.Skipped.Select(s => (JsonNode?)JsonValue.Create(s))]),
        };
        return root.ToJsonString(Indented);
    }

    private static JsonObject TestJson(BenchTestResult t) => new()
    {
        ["test"] = t.Name,
        ["kind"] = t.Kind.ToString().ToLowerInvariant(),
        ["depth"] = t.Depth,
        ["batch"] = t.Batch,
        ["tokens"] = t.Tokens,
        ["tokens_per_second"] = Pair(t.TokensPerSecond),
        ["ms_per_token"] = Pair(t.MillisecondsPerToken),
        ["gbps"] = Pair(t.GigabytesPerSecond),
        ["roofline_percent"] = Number(t.RooflinePercent),
        ["compute_percent"] = Number(t.ComputePercent),
        ["attainable_percent"] = Number(t.AttainablePercent),
        ["bandwidth_bound"] = t.BandwidthBound,
        ["weight_bytes_per_token"] = Number(t.WeightBytesPerToken),
        ["flops_per_token"] = Number(t.FlopsPerToken),
        ["flops_per_second"] = Pair(t.FlopsPerSecond),
        ["arithmetic_intensity"] = Number(t.ArithmeticIntensity),
        ["ttft_ms"] = t.TimeToFirstTokenMs is { } ttft ? Pair(ttft) : null,
        ["tpot_ms"] = t.TimePerOutputTokenMs is { } tpot ? Pair(tpot) : null,
        ["samples_seconds"] = new JsonArray([.. t.Seconds.Select(s => Number(s))]),
    };

    private static JsonObject Pair(MeanSd v) => new() { ["mean"] = Number(v.Mean), ["sd"] = Number(v.Sd) };

    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    // ------------------------------------------------------------------ CSV

    public static readonly IReadOnlyList<string> CsvHeaders =
    [
        "model", "model_path", "weight_type", "size_bytes", "params", "weight_bytes_per_token", "backend", "device", "threads",
        "test", "tokens", "repetitions", "t_s_mean", "t_s_sd", "ms_per_token_mean", "ms_per_token_sd", "gbps_mean", "gbps_sd",
        "roofline_percent", "compute_percent", "attainable_percent", "bandwidth_bound", "flops_per_token", "arithmetic_intensity", "ttft_ms_mean", "ttft_ms_sd",
        "tpot_ms_mean", "tpot_ms_sd", "memory_read_bandwidth_gbps", "peak_gflops",
    ];

    public static string Csv(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", CsvHeaders));
        foreach (var t in report.Tests)
        {
            string[] cells =
            [
                report.ModelLabel, report.ModelPath, report.Cost.WeightType, I(report.Cost.SizeBytes), I(report.Cost.ParameterCount),
                I(report.Cost.WeightBytesPerToken), report.Backend, report.DeviceDescription, report.BackendThreads?.ToString(Inv) ?? "",
                t.Name, I(t.Tokens), I(report.Repetitions), D(t.TokensPerSecond.Mean), D(t.TokensPerSecond.Sd),
                D(t.MillisecondsPerToken.Mean), D(t.MillisecondsPerToken.Sd), D(t.GigabytesPerSecond.Mean), D(t.GigabytesPerSecond.Sd),
                D(t.RooflinePercent), D(t.ComputePercent), D(t.AttainablePercent), t.BandwidthBound ? "true" : "false", D(t.FlopsPerToken), D(t.ArithmeticIntensity),
                D(t.TimeToFirstTokenMs?.Mean), D(t.TimeToFirstTokenMs?.Sd), D(t.TimePerOutputTokenMs?.Mean), D(t.TimePerOutputTokenMs?.Sd),
                D(report.Bandwidth.GigabytesPerSecond), D(report.PeakFlops.FlopsPerSecond / 1e9),
            ];
            sb.AppendLine(string.Join(",", cells.Select(CsvCell)));
        }
        return sb.ToString();
    }

    private static string I(long v) => v.ToString(Inv);
    private static string D(double? v) => v is double d && double.IsFinite(d) ? d.ToString("R", Inv) : "";

    /// <summary>RFC 4180: quote cells holding a comma, quote or line break; double the quotes.</summary>
    internal static string CsvCell(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    // ------------------------------------------------------------------ Markdown

    public static string Markdown(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", TableHeaders) + " |");
        sb.AppendLine("| " + string.Join(" | ", TableHeaders.Select((_, i) => NumericColumns.Contains(i) ? "---: " : "---")) + " |");
        foreach (var row in TableRows(report))
            sb.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        sb.AppendLine();
        foreach (var note in Notes(report)) sb.AppendLine(note + "  ");
        return sb.ToString();
    }
}
