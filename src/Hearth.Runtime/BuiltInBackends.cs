using Hearth.Backends.Cpu;
using Hearth.Backends.Vulkan;

namespace Hearth.Runtime;

/// <summary>Registers the backends that ship with the runtime (once per process).</summary>
public static class BuiltInBackends
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        CpuBackends.Register();
        VulkanBackends.Register();  // probes nothing: creating "vulkan" without a loader or device fails with a clear message
        return true;
    });

    public static void EnsureRegistered() => _ = Registered.Value;
}
