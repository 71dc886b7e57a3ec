using System.Collections.Concurrent;
using System.Diagnostics;
using Hearth.Backends.Cpu.Simd.Ops;

namespace Hearth.Backends.Cpu.Simd;

/// <summary>
/// HEARTH_PROFILE=1: wall time per kind of step (matmuls by weight type and kernel) summed over the process and
/// printed to stderr at exit, slowest first. For finding where a step's time goes; off by default (costs two
/// timestamps per step when on).
/// </summary>
internal static class StepProfile
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("HEARTH_PROFILE") == "1";
    private static readonly ConcurrentDictionary<string, long[]> Totals = new();

    static StepProfile()
    {
        if (Enabled) AppDomain.CurrentDomain.ProcessExit += (_, _) => Print();
    }

    public static void Run(Step step)
    {
        long start = Stopwatch.GetTimestamp();
        step.Run();
        long elapsed = Stopwatch.GetTimestamp() - start;
        var slot = Totals.GetOrAdd(step.Label, _ => new long[2]);
        Interlocked.Add(ref slot[0], elapsed);
        Interlocked.Increment(ref slot[1]);
    }

    private static void Print()
    {
        double all = Totals.Values.Sum(v => (double)v[0]);
        Console.Error.WriteLine("step profile (HEARTH_PROFILE=1): total ms, share, calls");
        foreach (var (label, v) in Totals.OrderByDescending(kv => kv.Value[0]))
            Console.Error.WriteLine($"  {label,-36} {v[0] * 1000.0 / Stopwatch.Frequency,10:F1} {v[0] / all,7:P1} {v[1],8}");
    }
}
