using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Hearth.Server.LoadTesting;

/// <summary>One request's measurements (times in seconds).</summary>
public sealed record RequestSample(bool Success, int PromptTokens, int OutputTokens, double Ttft, double Latency, IReadOnlyList<double> InterTokenLatencies, string? Error);

/// <summary>Mean, median and percentiles of one latency, in milliseconds.</summary>
public sealed record LatencyStats(double Mean, double Median, double P90, double P99, double Min, double Max)
{
    public static LatencyStats Of(IEnumerable<double> secondsValues)
    {
        var ms = secondsValues.Select(s => s * 1000).Order().ToArray();
        if (ms.Length == 0) return new LatencyStats(0, 0, 0, 0, 0, 0);
        return new LatencyStats(ms.Average(), Percentile(ms, 50), Percentile(ms, 90), Percentile(ms, 99), ms[0], ms[^1]);
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default).</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 1) return sorted[0];
        double rank = p / 100 * (sorted.Length - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}

/// <summary>The result of a load test, reported like vLLM's serving benchmark.</summary>
public sealed record LoadTestReport
{
    public required LoadTestOptions Options { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<RequestSample> Samples { get; init; }
    public required double DurationSeconds { get; init; }
    /// <summary>Whether the prompts went as token ids of exactly <see cref="LoadTestOptions.PromptTokens"/> tokens (else as words).</summary>
    public bool TokenIdPrompts { get; init; }

    public int Successful => Samples.Count(s => s.Success);
    public int Failed => Samples.Count(s => !s.Success);
    public long InputTokens => Samples.Where(s => s.Success).Sum(s => (long)s.PromptTokens);
    public long OutputTokens => Samples.Where(s => s.Success).Sum(s => (long)s.OutputTokens);
    public double RequestThroughput => Rate(Successful);
    public double OutputThroughput => Rate(OutputTokens);
    public double TotalThroughput => Rate(InputTokens + OutputTokens);
    public LatencyStats Ttft => LatencyStats.Of(Samples.Where(s => s.Success && s.OutputTokens > 0).Select(s => s.Ttft));
    /// <summary>Time per output token after the first, per request.</summary>
    public LatencyStats Tpot => LatencyStats.Of(Samples.Where(s => s.Success && s.OutputTokens > 1).Select(s => (s.Latency - s.Ttft) / (s.OutputTokens - 1)));
    public LatencyStats Itl => LatencyStats.Of(Samples.Where(s => s.Success).SelectMany(s => s.InterTokenLatencies));
    public LatencyStats E2e => LatencyStats.Of(Samples.Where(s => s.Success).Select(s => s.Latency));
    /// <summary>Distinct error messages of failed requests, with counts.</summary>
    public IReadOnlyList<(string Error, int Count)> Errors =>
        [.. Samples.Where(s => !s.Success).GroupBy(s => s.Error ?? "unknown").Select(g => (g.Key, g.Count())).OrderByDescending(e => e.Item2)];

    private double Rate(double count) => DurationSeconds > 0 ? count / DurationSeconds : 0;

    public string ToText()
    {
        var t = new StringBuilder();
        void Title(string title) => t.Append(CultureInfo.InvariantCulture, $"{title.PadLeft(25 + title.Length / 2, '-').PadRight(50, '-')}\n");
        void Row(string name, object value) => t.Append(CultureInfo.InvariantCulture, $"{name,-40} {Format(value)}\n");
        void Stats(string name, LatencyStats s)
        {
            Row($"Mean {name} (ms):", s.Mean);
            Row($"Median {name} (ms):", s.Median);
            Row($"P90 {name} (ms):", s.P90);
            Row($"P99 {name} (ms):", s.P99);
        }
        t.Append("============ Serving Benchmark Result ============\n");
        Row("Model:", Model);
        Row("Concurrency:", Options.Concurrency);
        Row("Prompts:", TokenIdPrompts ? $"{Options.PromptTokens} token ids each" : $"{Options.PromptTokens} words each");
        Row("Successful requests:", Successful);
        Row("Failed requests:", Failed);
        Row("Benchmark duration (s):", DurationSeconds);
        Row("Total input tokens:", InputTokens);
        Row("Total generated tokens:", OutputTokens);
        Row("Request throughput (req/s):", RequestThroughput);
        Row("Output token throughput (tok/s):", OutputThroughput);
        Row("Total token throughput (tok/s):", TotalThroughput);
        Title("Time to First Token");
        Stats("TTFT", Ttft);
        Title("Time per Output Token (excl. 1st token)");
        Stats("TPOT", Tpot);
        Title("Inter-token Latency");
        Stats("ITL", Itl);
        Title("End-to-end Latency");
        Stats("E2EL", E2e);
        t.Append("==================================================\n");
        foreach (var (error, count) in Errors.Take(5)) t.Append(CultureInfo.InvariantCulture, $"error ({count}x): {error}\n");
        return t.ToString();
    }

    public JsonObject ToJson()
    {
        static JsonObject Stats(LatencyStats s) => new()
        {
            ["mean_ms"] = s.Mean, ["median_ms"] = s.Median, ["p90_ms"] = s.P90, ["p99_ms"] = s.P99, ["min_ms"] = s.Min, ["max_ms"] = s.Max,
        };
        return new JsonObject
        {
            ["model"] = Model,
            ["url"] = Options.Url,
            ["endpoint"] = Options.Endpoint,
            ["concurrency"] = Options.Concurrency,
            ["requests"] = Samples.Count,
            ["prompt_tokens_requested"] = Options.PromptTokens,
            ["token_id_prompts"] = TokenIdPrompts,
            ["max_tokens"] = Options.MaxTokens,
            ["successful_requests"] = Successful,
            ["failed_requests"] = Failed,
            ["duration_s"] = DurationSeconds,
            ["total_input_tokens"] = InputTokens,
            ["total_output_tokens"] = OutputTokens,
            ["request_throughput"] = RequestThroughput,
            ["output_throughput"] = OutputThroughput,
            ["total_token_throughput"] = TotalThroughput,
            ["ttft"] = Stats(Ttft),
            ["tpot"] = Stats(Tpot),
            ["itl"] = Stats(Itl),
            ["e2el"] = Stats(E2e),
            ["errors"] = new JsonArray([.. Errors.Select(e => (JsonNode)new JsonObject { ["error"] = e.Error, ["count"] = e.Count })]),
        };
    }

    private static string Format(object value) => value switch
    {
        double d => d.ToString("F2", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
