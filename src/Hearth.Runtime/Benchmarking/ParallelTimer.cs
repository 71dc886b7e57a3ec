using System.Diagnostics;

namespace Hearth.Runtime.Benchmarking;

/// <summary>
/// Runs one body per dedicated thread, started together, and times from the start signal to the
/// last thread's end. Dedicated threads (not the thread pool) so the count is exactly what was asked.
/// </summary>
internal static class ParallelTimer
{
    /// <summary>Runs body(threadIndex) on <paramref name="threadCount"/> threads; returns the wall time
    /// and the XOR of the bodies' results (kept so the JIT cannot drop the work).</summary>
    public static (TimeSpan Elapsed, long Sink) Run(int threadCount, Func<int, long> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        using var ready = new CountdownEvent(threadCount);
        using var start = new ManualResetEventSlim(false);
        var results = new long[threadCount];
        var errors = new Exception?[threadCount];
        var threads = new Thread[threadCount];
        for (int i = 0; i < threadCount; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                ready.Signal();
                start.Wait();
                try { results[index] = body(index); }
                catch (Exception e) { errors[index] = e; }
            })
            { IsBackground = true, Name = $"hearth-bench-{index}" };
            threads[i].Start();
        }
        ready.Wait();
        long begin = Stopwatch.GetTimestamp();
        start.Set();
        foreach (var thread in threads) thread.Join();
        var elapsed = Stopwatch.GetElapsedTime(begin);
        foreach (var error in errors) if (error is not null) throw new AggregateException(error);
        long sink = 0;
        foreach (var r in results) sink ^= r;
        return (elapsed, sink);
    }
}
