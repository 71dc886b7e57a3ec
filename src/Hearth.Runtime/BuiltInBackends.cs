namespace Hearth.Runtime;

/// <summary>Registers the backends that ship with the runtime (once per process).</summary>
public static class BuiltInBackends
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        // The CPU backend assembly is referenced directly; a later backend that is optional
        // (Vulkan, CUDA) would be probed here instead.
        var type = Type.GetType("Hearth.Backends.Cpu.CpuBackends, Hearth.Backends.Cpu");
        type?.GetMethod("Register", Type.EmptyTypes)?.Invoke(null, null);
        return true;
    });

    public static void EnsureRegistered() => _ = Registered.Value;
}
