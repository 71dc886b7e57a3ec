using System.Globalization;

namespace Hearth.Quantization.Conversion;

/// <summary>Peak resident memory of this process (Linux /proc/self/status VmHWM), for the quantize report.</summary>
public static class PeakMemory
{
    /// <summary>Peak resident set size in bytes, or null where /proc is not available.</summary>
    public static long? PeakResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
