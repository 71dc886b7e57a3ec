using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// Software prefetch for the decode kernels, which stream each weight byte once: every weight stream of a tile is
/// prefetched <see cref="Distance"/> bytes ahead. Measured per vendor, as the hardware prefetchers differ: on an Intel
/// Xeon (2 vCPUs, TinyLlama-shaped files, tg32 alternating) 1 KiB ahead took Q8_0 from 19.75/21.59 to 22.57/24.04 t/s
/// and F16 from 8.55/9.07 to 9.22/9.44 (256 B to 4 KiB all helped F16; 1 KiB was among the best); on AMD Zen 4 an
/// earlier software prefetch in decode cost 10-20%, so other CPUs do not prefetch. HEARTH_DECODE_PREFETCH=BYTES overrides
/// (0 turns it off) for tuning on other machines.
/// </summary>
internal static unsafe class DecodePrefetch
{
    public static readonly int Distance = Choose();

    private static int Choose()
    {
        if (!Sse.IsSupported) return 0;
        var set = Environment.GetEnvironmentVariable("HEARTH_DECODE_PREFETCH");
        if (set is not null && int.TryParse(set, NumberStyles.None, CultureInfo.InvariantCulture, out int bytes)) return bytes;
        return IsIntel() ? 1024 : 0;
    }

    private static bool IsIntel()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        return ebx == 0x756E6547 && edx == 0x49656E69 && ecx == 0x6C65746E; // "Genu" "ineI" "ntel"
    }

    /// <summary>
    /// Prefetches the line <paramref name="distance"/> bytes past <paramref name="p"/> (nothing when it is 0). The decode
    /// tiles take <see cref="Distance"/> as an argument from their caller: they are jitted fully optimized at their first
    /// call (AggressiveOptimization), before this class is initialized, so reading the static in a tile keeps a
    /// class-initialization check and its helper call there, and around that call the JIT kept the tile's accumulators on
    /// the stack, a load and a store of each every iteration (JitDisasm of the F16 and Q8_0 decode tiles).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Ahead(void* p, int distance)
    {
        if (distance > 0) Sse.Prefetch0((byte*)p + distance);
    }
}
