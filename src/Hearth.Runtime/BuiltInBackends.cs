using Hearth.Backends.Cpu;

namespace Hearth.Runtime;

/// <summary>Registers the backends that ship with the runtime (once per process).</summary>
public static class BuiltInBackends
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        CpuBackends.Register();
        return true;
    });

    public static void EnsureRegistered() => _ = Registered.Value;
}
