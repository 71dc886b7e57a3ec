using System.Collections.Concurrent;
using Hearth.Runtime.Serving;

namespace Hearth.Server.Metrics;

/// <summary>What the server counts itself (requests by endpoint and status, tokens, latencies), rendered with the
/// engine's gauges (queue, KV blocks) for GET /metrics.</summary>
public sealed class ServerMetrics
{
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();
    private readonly ConcurrentDictionary<string, long> _finishes = new();
    private readonly Histogram _ttft = new("hearth_time_to_first_token_seconds", "Time from admission to the first generated token.", LatencyBuckets);
    private readonly Histogram _tpot = new("hearth_time_per_output_token_seconds", "Mean time per generated token after the first, per request.", LatencyBuckets);
    private readonly Histogram _e2e = new("hearth_request_duration_seconds", "Time from admission to the last token.", LatencyBuckets);
    private long _promptTokens, _completionTokens;

    internal void CountRequest(string endpoint, int status) => _requests.AddOrUpdate((endpoint, status), 1, (_, n) => n + 1);

    internal void CountFinish(EngineFinish finish)
    {
        _finishes.AddOrUpdate(finish.Reason, 1, (_, n) => n + 1);
        Interlocked.Add(ref _promptTokens, finish.PromptTokens);
        Interlocked.Add(ref _completionTokens, finish.CompletionTokens);
        if (finish.CompletionTokens == 0) return;
        _ttft.Observe(finish.TimeToFirstToken.TotalSeconds);
        _e2e.Observe(finish.Total.TotalSeconds);
        if (finish.CompletionTokens > 1)
            _tpot.Observe((finish.Total - finish.TimeToFirstToken).TotalSeconds / (finish.CompletionTokens - 1));
    }

    /// <summary>A generation whose client went away before its finish event was read.</summary>
    internal void CountCancelled() => _finishes.AddOrUpdate("cancelled", 1, (_, n) => n + 1);

    /// <summary>Completed requests by finish reason ("stop", "length", "cancelled").</summary>
    public long Finishes(string reason) => _finishes.GetValueOrDefault(reason);

    internal string Render(EngineMetrics engine)
    {
        var w = new PrometheusWriter();
        w.Header("hearth_http_requests_total", "HTTP requests by endpoint and status code.", "counter");
        foreach (var ((endpoint, status), count) in _requests.OrderBy(p => p.Key.Endpoint, StringComparer.Ordinal).ThenBy(p => p.Key.Status))
            w.Sample("hearth_http_requests_total", count, ("endpoint", endpoint), ("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        w.Header("hearth_generations_total", "Finished generations (choices) by finish reason.", "counter");
        foreach (var reason in new[] { "stop", "length", "cancelled" })
            w.Sample("hearth_generations_total", _finishes.GetValueOrDefault(reason), ("reason", reason));
        w.Metric("hearth_prompt_tokens_total", "Prompt tokens of finished generations.", "counter", Interlocked.Read(ref _promptTokens));
        w.Metric("hearth_generation_tokens_total", "Generated tokens of finished generations.", "counter", Interlocked.Read(ref _completionTokens));

        w.Metric("hearth_requests_running", "Sequences the engine is generating.", "gauge", engine.RunningSequences);
        w.Metric("hearth_queue_depth", "Requests admitted and waiting to run.", "gauge", engine.WaitingRequests);
        w.Metric("hearth_queue_capacity", "Waiting requests beyond which requests get 429.", "gauge", engine.MaxWaitingRequests);
        w.Metric("hearth_kv_block_size_tokens", "Tokens per KV cache block.", "gauge", engine.KvBlockSize);
        w.Metric("hearth_kv_blocks_total", "KV cache blocks.", "gauge", engine.KvBlocksTotal);
        w.Metric("hearth_kv_blocks_used", "KV cache blocks held by running sequences.", "gauge", engine.KvBlocksUsed);
        w.Metric("hearth_kv_blocks_free", "KV cache blocks free.", "gauge", engine.KvBlocksFree);
        w.Metric("hearth_kv_blocks_cached", "KV cache blocks held only by the prefix cache.", "gauge", engine.KvBlocksCached);
        w.Metric("hearth_kv_cache_bytes", "Memory of the KV cache.", "gauge", engine.KvCacheBytes);
        w.Metric("hearth_engine_requests_total", "Requests the engine admitted.", "counter", engine.RequestsTotal);
        w.Metric("hearth_engine_prompt_tokens_total", "Prompt tokens the engine admitted.", "counter", engine.PromptTokensTotal);
        w.Metric("hearth_engine_cached_prompt_tokens_total", "Prompt tokens served from the prefix cache.", "counter", engine.CachedPromptTokensTotal);
        w.Metric("hearth_engine_generated_tokens_total", "Tokens the engine generated.", "counter", engine.GeneratedTokensTotal);
        w.Metric("hearth_engine_preemptions_total", "Sequences preempted to free KV blocks.", "counter", engine.PreemptionsTotal);
        w.Metric("hearth_kv_copy_on_writes_total", "Shared KV blocks copied before a write (forked choices of one prompt).", "counter", engine.KvCopyOnWritesTotal);
        w.Metric("hearth_engine_steps_total", "Model steps run.", "counter", engine.StepsTotal);
        _ttft.WriteTo(w);
        _tpot.WriteTo(w);
        _e2e.WriteTo(w);
        return w.ToString();
    }
}
