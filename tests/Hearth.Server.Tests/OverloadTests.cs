using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hearth.Server.Tests;

/// <summary>A server whose queue holds one waiting request, on the (slower) scalar reference backend so that
/// generations last long enough for the timing tests (overload, disconnect) on a busy machine.</summary>
public sealed class SmallQueueServer : TinyServer
{
    protected override int MaxQueue => 1;
    protected override string Backend => Hearth.Backends.Cpu.CpuBackends.ReferenceName;
}

/// <summary>Disconnects cancel; requests beyond the bounded queue get 429 with Retry-After at once; none hang; the server recovers.</summary>
public class OverloadTests(SmallQueueServer server) : IClassFixture<SmallQueueServer>
{
    [Fact]
    public async Task Requests_beyond_the_queue_get_429_and_none_hang()
    {
        const int concurrent = 12;
        var body = """{"model": "hearth-tiny", "prompt": "Once upon a time", "max_tokens": 100, "ignore_eos": true, "temperature": 0}""";
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
            Assert.Equal(100, JsonDocument.Parse(r.Item3).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        // Refusals are immediate: each came back before the last accepted request finished.
        Assert.True(refused.Max(r => r.Elapsed) < ok.Max(r => r.Elapsed), "a 429 waited for the model");

        // Once the queue drains, requests are served again.
        using var after = await server.Http.PostAsync("/v1/completions", new StringContent(body.Replace("100", "2", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Contains("hearth_http_requests_total{endpoint=\"/v1/completions\",status=\"429\"} " + refused.Count, metrics, StringComparison.Ordinal);
        Assert.Contains("hearth_queue_depth 0", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_its_generation()
    {
        var metrics = HearthServer.Metrics(server.App);
        long cancelledBefore = metrics.Finishes("cancelled");
        long generatedBefore = server.Engine.GetMetrics().GeneratedTokensTotal;
        // A raw socket, closed mid-stream: HttpClient would instead drain the response to reuse the connection.
        var uri = new Uri(server.BaseUrl);
        using (var socket = new System.Net.Sockets.TcpClient())
        {
            await socket.ConnectAsync(uri.Host, uri.Port);
            var stream = socket.GetStream();
            var body = """{"model": "hearth-tiny", "prompt": "Once", "stream": true, "max_tokens": 250, "ignore_eos": true, "temperature": 0}""";
            var head = $"POST /v1/completions HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nAuthorization: Bearer {TinyServer.ApiKey}\r\n" +
                $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(head));
            var buffer = new byte[4096];
            int read = 0;
            // Wait for the first token's event, then hang up.
            while (!Encoding.UTF8.GetString(buffer, 0, read).Contains("\"text\"", StringComparison.Ordinal))
            {
                int n = await stream.ReadAsync(buffer.AsMemory(read));
                Assert.True(n > 0, "the server closed the stream early");
                read += n;
            }
            Assert.StartsWith("HTTP/1.1 200", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
            socket.Client.Close(0);
        }
        // The engine notices at its next token: the sequence ends cancelled, long before 250 tokens.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (server.Engine.GetMetrics().RunningSequences > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, server.Engine.GetMetrics().RunningSequences);
        long generated = server.Engine.GetMetrics().GeneratedTokensTotal - generatedBefore;
        Assert.True(generated < 250, $"the generation ran on after the disconnect ({generated} tokens)");
        Assert.True(await WaitFor(() => metrics.Finishes("cancelled") > cancelledBefore), "no generation finished as cancelled");
    }

    private static async Task<bool> WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        return condition();
    }
}
