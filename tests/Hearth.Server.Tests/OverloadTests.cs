using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hearth.Server.Tests;

/// <summary>A server whose queue holds one waiting request.</summary>
public sealed class SmallQueueServer : TinyServer
{
    protected override int MaxQueue => 1;
}

/// <summary>Requests beyond the bounded queue get 429 with Retry-After at once; none hang; the server recovers.</summary>
public class OverloadTests(SmallQueueServer server) : IClassFixture<SmallQueueServer>
{
    [Fact]
    public async Task Requests_beyond_the_queue_get_429_and_none_hang()
    {
        const int concurrent = 12;
        var body = """{"model": "hearth-tiny", "prompt": "Once upon a time", "max_tokens": 150, "ignore_eos": true, "temperature": 0}""";
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, concurrent).Select(async _ =>
        {
            using var response = await server.Http.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            return (response.StatusCode, response.Headers.RetryAfter, await response.Content.ReadAsStringAsync(), clock.Elapsed);
        }).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        var ok = results.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = results.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(concurrent, ok.Count + refused.Count);
        Assert.InRange(ok.Count, 1, concurrent - 1);
        Assert.NotEmpty(refused);
        foreach (var r in refused)
        {
            Assert.NotNull(r.RetryAfter);
            Assert.True(r.RetryAfter!.Delta >= TimeSpan.FromSeconds(1));
            var error = JsonDocument.Parse(r.Item3).RootElement.GetProperty("error");
            Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        }
        foreach (var r in ok)
            Assert.Equal(150, JsonDocument.Parse(r.Item3).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        // Refusals are immediate: each came back before the last accepted request finished.
        Assert.True(refused.Max(r => r.Elapsed) < ok.Max(r => r.Elapsed), "a 429 waited for the model");

        // Once the queue drains, requests are served again.
        using var after = await server.Http.PostAsync("/v1/completions", new StringContent(body.Replace("150", "2", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Contains("hearth_http_requests_total{endpoint=\"/v1/completions\",status=\"429\"} " + refused.Count, metrics, StringComparison.Ordinal);
        Assert.Contains("hearth_queue_depth 0", metrics, StringComparison.Ordinal);
    }
}
