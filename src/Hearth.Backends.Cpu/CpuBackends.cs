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

    /// <summary>Registers "cpu-ref" and "cpu". Safe to call more than once.</summary>
    public static void Register()
    {
        BackendRegistry.Register(ReferenceName, () => new CpuReferenceDevice());
        BackendRegistry.Register(FastName, options => new CpuDevice(options.ThreadCount ?? 0));
    }
}
