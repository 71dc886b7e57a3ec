using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hearth.Runtime.Benchmarking;

/// <summary>A host memory read bandwidth measurement.</summary>
/// <param name="LastLevelCacheBytes">The cache size the OS reported, or null where it says nothing (then <see cref="MemoryBandwidth.DefaultLastLevelCacheBytes"/> sized the buffer).</param>
/// <param name="Probes">How many separate probes (each of <paramref name="Runs"/> / Probes runs) the best was taken over:
/// the bench probes before and after its tests, because a shared host's bandwidth drifts.</param>
public sealed record BandwidthMeasurement(double BytesPerSecond, int ThreadCount, long BufferBytes, int Runs, long? LastLevelCacheBytes, int Probes = 1)
{
    public double GigabytesPerSecond => BytesPerSecond / 1e9;

    /// <summary>The better of two probes of the same buffer and threads, counting both probes' runs.</summary>
    public BandwidthMeasurement Best(BandwidthMeasurement other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with { BytesPerSecond = Math.Max(BytesPerSecond, other.BytesPerSecond), Runs = Runs + other.Runs, Probes = Probes + other.Probes };
    }
}

/// <summary>
/// Measures host memory read bandwidth the way a decode step reads weights: every thread streams
/// its own slice of a buffer several times larger than the last-level cache, as four sequential
/// streams read in step (as the matmul kernels read four weight panels or rows at once; one stream
/// per thread leaves DRAM bandwidth unused on Zen 4), summing it with the widest SIMD loads; the
/// best of the runs counts (the machine's capability, not its noise).
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>Assumed when the OS does not say (no /sys cache info): a large server L3 slice.</summary>
    public const long DefaultLastLevelCacheBytes = 32L << 20;

    public static BandwidthMeasurement Measure(int threadCount, long bufferBytes = 0, int runs = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        long? reported = LastLevelCacheBytes();
        if (bufferBytes <= 0) bufferBytes = DefaultBufferBytes(reported ?? DefaultLastLevelCacheBytes);
        // Each thread gets four streams of a whole number of 512-bit vectors.
        long chunk = 4L * 64 * threadCount;
        bufferBytes = Math.Max(chunk, bufferBytes / chunk * chunk);

        // One array per thread: each under the 2 GB array limit, pages committed by writing them
        // (untouched pages all map the one zero page and would read impossibly fast).
        long perThread = bufferBytes / threadCount;
        var slices = new long[threadCount][];
        for (int t = 0; t < threadCount; t++)
        {
            var slice = GC.AllocateUninitializedArray<long>(checked((int)(perThread / sizeof(long))));
            for (int i = 0; i < slice.Length; i++) slice[i] = i ^ t;
            slices[t] = slice;
        }

        double best = 0;
        long sink = 0;
        ReadAll(slices, threadCount); // warm-up: page tables, thread start-up
        for (int run = 0; run < runs; run++)
        {
            var (elapsed, result) = ReadAll(slices, threadCount);
            sink ^= result;
            if (elapsed > TimeSpan.Zero) best = Math.Max(best, bufferBytes / elapsed.TotalSeconds);
        }
        GC.KeepAlive(sink);
        return new BandwidthMeasurement(best, threadCount, bufferBytes, runs, reported);
    }

    private static (TimeSpan, long) ReadAll(long[][] slices, int threadCount) =>
        ParallelTimer.Run(threadCount, t => Sum(slices[t]));

    /// <summary>Streams the array once as its four quarters read in step, one vector accumulator each.</summary>
    internal static long Sum(long[] data)
    {
        if (Vector512.IsHardwareAccelerated) return Sum<Vector512<long>>(data, Vector512<long>.Count);
        if (Vector256.IsHardwareAccelerated) return Sum<Vector256<long>>(data, Vector256<long>.Count);
        return Sum<Vector128<long>>(data, Vector128<long>.Count);
    }

    private static long Sum<TV>(long[] data, int lanes) where TV : struct
    {
        int quarter = data.Length / 4 / lanes * lanes;
        ref long q0 = ref MemoryMarshal.GetArrayDataReference(data);
        ref long q1 = ref Unsafe.Add(ref q0, quarter);
        ref long q2 = ref Unsafe.Add(ref q1, quarter);
        ref long q3 = ref Unsafe.Add(ref q2, quarter);
        TV a = default, b = default, c = default, d = default;
        for (int i = 0; i < quarter; i += lanes)
        {
            a = Add(a, Load<TV>(ref q0, i));
            b = Add(b, Load<TV>(ref q1, i));
            c = Add(c, Load<TV>(ref q2, i));
            d = Add(d, Load<TV>(ref q3, i));
        }
        long sum = Total(Add(Add(a, b), Add(c, d)));
        for (int i = 4 * quarter; i < data.Length; i++) sum += data[i];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load<TV>(ref long start, int index) where TV : struct => Unsafe.ReadUnaligned<TV>(ref Unsafe.As<long, byte>(ref Unsafe.Add(ref start, index)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Add<TV>(TV x, TV y) where TV : struct =>
        typeof(TV) == typeof(Vector512<long>) ? (TV)(object)((Vector512<long>)(object)x + (Vector512<long>)(object)y)
        : typeof(TV) == typeof(Vector256<long>) ? (TV)(object)((Vector256<long>)(object)x + (Vector256<long>)(object)y)
        : (TV)(object)((Vector128<long>)(object)x + (Vector128<long>)(object)y);

    private static long Total<TV>(TV x) where TV : struct =>
        typeof(TV) == typeof(Vector512<long>) ? Vector512.Sum((Vector512<long>)(object)x)
        : typeof(TV) == typeof(Vector256<long>) ? Vector256.Sum((Vector256<long>)(object)x)
        : Vector128.Sum((Vector128<long>)(object)x);

    private static long DefaultBufferBytes(long cache)
    {
        long wanted = Math.Max(256L << 20, 8 * cache);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available > 0 ? Math.Min(wanted, Math.Max(64L << 20, available / 4)) : wanted;
    }

    /// <summary>The largest data/unified cache Linux reports for cpu0, or null where it says nothing.</summary>
    public static long? LastLevelCacheBytes()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root)) return null;
        long? best = null;
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(root, "index*"))
            {
                var sizeFile = Path.Combine(dir, "size");
                if (!File.Exists(sizeFile)) continue;
                var typeFile = Path.Combine(dir, "type");
                if (File.Exists(typeFile) && File.ReadAllText(typeFile).Trim() == "Instruction") continue;
                if (ParseSize(File.ReadAllText(sizeFile).Trim()) is long size && size > (best ?? 0)) best = size;
            }
        }
        catch (IOException)
        {
            return best;
        }
        catch (UnauthorizedAccessException)
        {
            return best;
        }
        return best;
    }

    /// <summary>"32768K", "8M", "1024" (bytes) as Linux writes cache sizes.</summary>
    public static long? ParseSize(string text)
    {
        if (text.Length == 0) return null;
        long multiplier = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        var digits = multiplier == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value * multiplier : null;
    }
}
