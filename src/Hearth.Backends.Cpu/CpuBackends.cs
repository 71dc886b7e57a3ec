using Hearth.Backends.Cpu.Reference;
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

    /// <summary>Registers "cpu-ref". Safe to call more than once.</summary>
    public static void Register() => BackendRegistry.Register(ReferenceName, () => new CpuReferenceDevice());
}
