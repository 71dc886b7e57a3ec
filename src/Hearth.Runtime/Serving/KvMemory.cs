using System.Globalization;

namespace Hearth.Runtime.Serving;

/// <summary>How much memory the KV cache may take.</summary>
public static class KvMemory
{
    /// <summary>Bytes available to a new allocation: MemAvailable from /proc/meminfo on Linux, else what the GC
    /// reports as available (the machine's or the container's limit).</summary>
    public static long AvailableBytes()
    {
        try
        {
            if (File.Exists("/proc/meminfo"))
            {
                foreach (var line in File.ReadLines("/proc/meminfo"))
                {
                    if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib))
                        return kib * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Fall through to the GC's figure.
        }
        catch (UnauthorizedAccessException)
        {
            // Fall through to the GC's figure.
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>The budget the options ask for: the explicit byte count, else the fraction of <see cref="AvailableBytes"/>.</summary>
    public static long BudgetBytes(BatchingEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.KvCacheBytes ?? (long)(AvailableBytes() * options.KvMemoryFraction);
    }
}
