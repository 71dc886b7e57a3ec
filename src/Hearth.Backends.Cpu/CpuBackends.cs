using Hearth.Backends.Cpu.Reference;
using Hearth.Backends.Cpu.Simd;
using Hearth.Compute;

namespace Hearth.Backends.Cpu;

/// <summary>
/// Registers this assembly's CPU backends in <see cref="BackendRegistry"/>. The runtime calls
/// <see cref="Register"/> explicitly (no module initializer), so which backends exist is visible at the call site.
/// </summary>
public static class CpuBackends
{
    /// <summary>Name of the scalar reference backend: the oracle every fast path is tested against.</summary>
    public const string ReferenceName = "cpu-ref";

    /// <summary>Name of the fast SIMD, multi-threaded CPU backend.</summary>
    public const string FastName = "cpu";

    /// <summary>
    /// The instruction sets the fast CPU kernels use on this machine, e.g. "AVX-512, AVX-VNNI, AVX2, FMA" (x86 .NET may be
    /// told to hide some: DOTNET_EnableAVX512=0 and DOTNET_EnableAVXVNNI=0 make an AVX2-only machine).
    /// </summary>
    public static string KernelFeatures
    {
        get
        {
            var features = new List<string>();
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) features.Add("AVX-512");
            if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) features.Add("AVX-VNNI");
            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) features.Add("AVX2");
            if (System.Runtime.Intrinsics.X86.Fma.IsSupported) features.Add("FMA");
            if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) features.Add("NEON");
            if (System.Runtime.Intrinsics.Arm.Dp.IsSupported) features.Add("DotProd");
            return features.Count == 0 ? "portable vectors" : string.Join(", ", features);
        }
    }

    /// <summary>Registers "cpu-ref" and "cpu". Safe to call more than once.</summary>
    public static void Register()
    {
        BackendRegistry.Register(ReferenceName, () => new CpuReferenceDevice());
        BackendRegistry.Register(FastName, options => new CpuDevice(options.ThreadCount ?? 0));
    }
}
