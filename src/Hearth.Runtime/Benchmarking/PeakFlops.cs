using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Runtime.Benchmarking;

/// <summary>A peak F32 FLOP/s measurement and how it was taken.</summary>
public sealed record FlopsMeasurement(double FlopsPerSecond, int ThreadCount, string Method);

/// <summary>
/// Measures the compute ceiling of the roofline: every thread runs a register-only loop of
/// independent fused multiply-adds (12 accumulators, enough to hide FMA latency on two ports), so
/// no memory traffic limits it. Counts 2 FLOPs per lane per FMA. Where the CPU has AVX-512 the 512-bit
/// loop runs too and the faster counts: cores with full-width 512-bit FMA units (Intel Xeon since Skylake-SP)
/// reach twice the 256-bit rate there, those that split 512-bit operations in two (AMD Zen 4) the same rate.
/// </summary>
public static class PeakFlops
{
    private const int Accumulators = 12;

    /// <summary>Best of <paramref name="runs"/> runs of about <paramref name="secondsPerRun"/> each.</summary>
    public static FlopsMeasurement Measure(int threadCount, double secondsPerRun = 0.1, int runs = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        if (!(secondsPerRun > 0)) throw new ArgumentOutOfRangeException(nameof(secondsPerRun), "must be positive");
        (Func<long, long> kernel, int lanes, string method) = Fma.IsSupported && Vector256.IsHardwareAccelerated
            ? ((Func<long, long>)FmaAvx, Vector256<float>.Count, "measured: AVX2 FMA loop")
            : AdvSimd.IsSupported
                ? (FmaNeon, Vector128<float>.Count, "measured: NEON FMA loop")
                : (MulAdd, Vector<float>.Count, "measured: vector multiply + add loop (no FMA)");
        var best = Measure(kernel, lanes, method, threadCount, secondsPerRun, runs);
        if (Avx512F.IsSupported)
        {
            var wide = Measure(FmaAvx512, Vector512<float>.Count, "measured: AVX-512 FMA loop", threadCount, secondsPerRun, runs);
            if (wide.FlopsPerSecond > best.FlopsPerSecond) best = wide;
        }
        return best;
    }

    private static FlopsMeasurement Measure(Func<long, long> kernel, int lanes, string method, int threadCount, double secondsPerRun, int runs)
    {
        kernel(1000); // JIT
        // Calibrate on one thread so a run lasts about secondsPerRun whatever the machine (or a Debug build).
        const long Probe = 100_000;
        long begin = System.Diagnostics.Stopwatch.GetTimestamp();
        GC.KeepAlive(kernel(Probe));
        double probeSeconds = Math.Max(1e-6, System.Diagnostics.Stopwatch.GetElapsedTime(begin).TotalSeconds);
        long iterations = Math.Max(Probe, (long)(Probe * secondsPerRun / probeSeconds));
        double best = 0;
        for (int run = 0; run < runs; run++)
        {
            var (elapsed, sink) = ParallelTimer.Run(threadCount, _ => kernel(iterations));
            GC.KeepAlive(sink);
            double flops = 2.0 * lanes * Accumulators * iterations * threadCount;
            if (elapsed > TimeSpan.Zero) best = Math.Max(best, flops / elapsed.TotalSeconds);
        }
        return new FlopsMeasurement(best, threadCount, method);
    }

    // The multiplier is just below 1 and the addend tiny so the values stay finite for any count.
    private static long FmaAvx(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var s = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
            a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, s); a1 = Fma.MultiplyAdd(a1, m, s); a2 = Fma.MultiplyAdd(a2, m, s);
            a3 = Fma.MultiplyAdd(a3, m, s); a4 = Fma.MultiplyAdd(a4, m, s); a5 = Fma.MultiplyAdd(a5, m, s);
            a6 = Fma.MultiplyAdd(a6, m, s); a7 = Fma.MultiplyAdd(a7, m, s); a8 = Fma.MultiplyAdd(a8, m, s);
            a9 = Fma.MultiplyAdd(a9, m, s); a10 = Fma.MultiplyAdd(a10, m, s); a11 = Fma.MultiplyAdd(a11, m, s);
        }
        var total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return (long)Vector256.Sum(total);
    }

    private static long FmaAvx512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var s = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
            a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, s); a1 = Avx512F.FusedMultiplyAdd(a1, m, s); a2 = Avx512F.FusedMultiplyAdd(a2, m, s);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, s); a4 = Avx512F.FusedMultiplyAdd(a4, m, s); a5 = Avx512F.FusedMultiplyAdd(a5, m, s);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, s); a7 = Avx512F.FusedMultiplyAdd(a7, m, s); a8 = Avx512F.FusedMultiplyAdd(a8, m, s);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, s); a10 = Avx512F.FusedMultiplyAdd(a10, m, s); a11 = Avx512F.FusedMultiplyAdd(a11, m, s);
        }
        var total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return (long)Vector512.Sum(total);
    }

    private static long FmaNeon(long iterations)
    {
        var m = Vector128.Create(0.999999f);
        var s = Vector128.Create(1e-7f);
        Vector128<float> a0 = Vector128.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
            a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = AdvSimd.FusedMultiplyAdd(s, a0, m); a1 = AdvSimd.FusedMultiplyAdd(s, a1, m); a2 = AdvSimd.FusedMultiplyAdd(s, a2, m);
            a3 = AdvSimd.FusedMultiplyAdd(s, a3, m); a4 = AdvSimd.FusedMultiplyAdd(s, a4, m); a5 = AdvSimd.FusedMultiplyAdd(s, a5, m);
            a6 = AdvSimd.FusedMultiplyAdd(s, a6, m); a7 = AdvSimd.FusedMultiplyAdd(s, a7, m); a8 = AdvSimd.FusedMultiplyAdd(s, a8, m);
            a9 = AdvSimd.FusedMultiplyAdd(s, a9, m); a10 = AdvSimd.FusedMultiplyAdd(s, a10, m); a11 = AdvSimd.FusedMultiplyAdd(s, a11, m);
        }
        var total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return (long)Vector128.Sum(total);
    }

    private static long MulAdd(long iterations)
    {
        var m = new Vector<float>(0.999999f);
        var s = new Vector<float>(1e-7f);
        Vector<float> a0 = Vector<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
            a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = a0 * m + s; a1 = a1 * m + s; a2 = a2 * m + s; a3 = a3 * m + s; a4 = a4 * m + s; a5 = a5 * m + s;
            a6 = a6 * m + s; a7 = a7 * m + s; a8 = a8 * m + s; a9 = a9 * m + s; a10 = a10 * m + s; a11 = a11 * m + s;
        }
        var total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return (long)Vector.Sum(total);
    }
}
