using Hearth.Backends.Vulkan;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// A fact that needs a Vulkan loader and device (on CI: Mesa's lavapipe, installed by tools/run-tests.sh). It is
/// skipped, with the reason, only where Vulkan is missing; lavapipe is limited to one thread to spare the 2 cores.
/// </summary>
public sealed class VulkanFactAttribute : FactAttribute
{
    static VulkanFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("LP_NUM_THREADS") is null) Environment.SetEnvironmentVariable("LP_NUM_THREADS", "1");
    }

    public VulkanFactAttribute()
    {
        if (!VulkanBackends.TryListDevices(out _, out var problem)) Skip = $"no Vulkan: {problem}";
    }
}
