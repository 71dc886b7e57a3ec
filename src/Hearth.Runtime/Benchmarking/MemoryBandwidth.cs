using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Hearth.Runtime.Benchmarking;

/// <summary>A host memory read bandwidth measurement.</summary>
/// <param name="LastLevelCacheBytes">The cache size the OS reported, or null where it says nothing (then <see cref="MemoryBandwidth.DefaultLastLevelCacheBytes"/> sized the buffer).</param>
public sealed record BandwidthMeasurement(double BytesPerSecond, int ThreadCount, long BufferBytes, int Runs, long? LastLevelCacheBytes)
{
    public double GigabytesPerSecond => BytesPerSecond / 1e9;
}

/// <summary>
/// Measures host memory read bandwidth the way a decode step reads weights: every thread streams
/// its own slice of a buffer several times larger than the last-level cache, summing it with SIMD
/// loads; the best of a few runs counts (the machine's capability, not its noise).
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>Assumed when the OS does not say (no /sys cache info): a large server L3 slice.</summary>
    public const long DefaultLastLevelCacheBytes = 32L << 20;

    public static BandwidthMeasurement Measure(int threadCount, long bufferBytes = 0, int runs = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        long? reported = LastLevelCacheBytes();
        if (bufferBytes <= 0) bufferBytes = DefaultBufferBytes(reported ?? DefaultLastLevelCacheBytes);
        int vectorBytes = Vector<long>.Count * sizeof(long);
        // Each thread gets a whole number of 4-vector chunks (the read loop's unroll).
        long chunk = 4L * vectorBytes * threadCount;
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

    /// <summary>Streams the array once with four independent vector accumulators.</summary>
    private static long Sum(long[] data)
    {
        var vectors = MemoryMarshal.Cast<long, Vector<long>>(data.AsSpan());
        Vector<long> a = default, b = default, c = default, d = default;
        int i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }
        for (; i < vectors.Length; i++) a += vectors[i];
        return Vector.Sum(a + b + c + d);
    }

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
