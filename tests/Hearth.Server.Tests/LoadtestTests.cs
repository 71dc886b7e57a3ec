using Hearth.Server.LoadTesting;

namespace Hearth.Server.Tests;

/// <summary>The load generator against the in-process server.</summary>
[Collection("server")]
public class LoadtestTests(TinyServer server)
{
    [Fact]
    public async Task Loadtest_reports_throughput_and_latency_percentiles()
    {
        foreach (var endpoint in new[] { "completions", "chat" })
        {
            var report = await LoadTestRunner.RunAsync(new LoadTestOptions
            {
                Url = server.BaseUrl + "/v1",
                ApiKey = TinyServer.ApiKey,
                Concurrency = 3,
                Requests = 6,
                PromptTokens = 16,
                MaxTokens = 8,
                Endpoint = endpoint,
            });
            Assert.Equal(TinyServer.ModelName, report.Model);
            Assert.True(report.Failed == 0, string.Join("; ", report.Errors.Select(e => e.Error)));
            Assert.Equal(6, report.Successful);
            Assert.Equal(6 * 8, report.OutputTokens); // ignore_eos: exactly max_tokens each
            // Completions prompts go as exactly 16 token ids (the server tokenizes); chat prompts are 16 words.
            Assert.Equal(endpoint == "completions", report.TokenIdPrompts);
            if (endpoint == "completions") Assert.Equal(6 * 16, report.InputTokens);
            else Assert.True(report.InputTokens >= 6 * 16);
            Assert.True(report.OutputThroughput > 0);
            Assert.True(report.Ttft.Median > 0 && report.Ttft.P99 >= report.Ttft.Median);
            Assert.True(report.Tpot.Mean > 0);
            Assert.True(report.E2e.Min >= report.Ttft.Min);
            var text = report.ToText();
            Assert.Contains("Successful requests:", text, StringComparison.Ordinal);
            Assert.Contains("P99 TTFT (ms):", text, StringComparison.Ordinal);
            Assert.Contains(endpoint == "completions" ? "16 token ids each" : "16 words each", text, StringComparison.Ordinal);
            Assert.Equal(6, report.ToJson()["successful_requests"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Loadtest_counts_refused_requests_as_failures()
    {
        var report = await LoadTestRunner.RunAsync(new LoadTestOptions
        {
            Url = server.BaseUrl, ApiKey = "sk-wrong", Model = TinyServer.ModelName, Requests = 2, Concurrency = 2, PromptTokens = 4, MaxTokens = 2,
            WarmupRequests = 0,
        });
        Assert.Equal(2, report.Failed);
        Assert.Contains("401", report.Errors[0].Error, StringComparison.Ordinal);
        Assert.False(report.TokenIdPrompts);  // /tokenize refused the key too: the prompts fell back to words
    }

    [Fact]
    public async Task A_failing_warm_up_stops_the_run_and_names_the_error()
    {
        var e = await Assert.ThrowsAsync<Hearth.Core.HearthException>(() => LoadTestRunner.RunAsync(new LoadTestOptions
        {
            Url = server.BaseUrl, ApiKey = "sk-wrong", Model = TinyServer.ModelName, Requests = 2, Concurrency = 2, PromptTokens = 4, MaxTokens = 2,
        }));
        Assert.Contains("warm-up", e.Message, StringComparison.Ordinal);
        Assert.Contains("401", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentiles_interpolate_like_numpy()
    {
        double[] sorted = [1, 2, 3, 4];
        Assert.Equal(2.5, LatencyStats.Percentile(sorted, 50), 10);
        Assert.Equal(3.97, LatencyStats.Percentile(sorted, 99), 10);
        Assert.Equal(1, LatencyStats.Percentile(sorted, 0), 10);
    }
}
