using System.Runtime.InteropServices;

namespace Hearth.Quantization.Conversion;

/// <summary>
/// Drops the pages of a memory-mapped range that the converter has finished reading, so file-backed
/// resident memory does not grow to the size of the model (the kernel keeps read pages of a live
/// mapping resident while memory is plentiful, and they count towards RSS). Linux only; elsewhere a no-op.
/// Safe on read-only file mappings: a later read simply faults the pages in again from the file.
/// </summary>
internal static partial class PageRelease
{
    private const int MadvDontNeed = 4;
    private static readonly long PageSize = Environment.SystemPageSize;

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project does not allow; all parameters are blittable
    private static extern int Madvise(nint address, nuint length, int advice);
#pragma warning restore SYSLIB1054

    /// <summary>Releases the whole pages inside [address, address + length).</summary>
    public static void Release(nint address, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return;
        long start = ((long)address + PageSize - 1) / PageSize * PageSize;
        long end = ((long)address + length) / PageSize * PageSize;
        if (end <= start) return;
        try
        {
            _ = Madvise((nint)start, (nuint)(end - start), MadvDontNeed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc/musl: memory is only a little higher, nothing breaks.
        }
    }
}
