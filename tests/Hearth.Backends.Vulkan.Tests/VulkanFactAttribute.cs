using Hearth.Backends.Vulkan;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// A fact that needs a Vulkan loader and device (on CI: Mesa's lavapipe, installed by tools/run-tests.sh). It is
/// skipped, with the reason, only where Vulkan is missing and HEARTH_REQUIRE_VULKAN is not 1 (tools/run-tests.sh sets
/// it, so on CI a missing device fails the tests instead of skipping them); lavapipe is limited to one thread to spare
/// the 2 cores.
/// </summary>
public sealed class VulkanFactAttribute : FactAttribute
{
    static VulkanFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("LP_NUM_THREADS") is null) Environment.SetEnvironmentVariable("LP_NUM_THREADS", "1");
    }

    public VulkanFactAttribute()
    {
        if (!VulkanBackends.TryListDevices(out _, out var problem) && !Required) Skip = $"no Vulkan: {problem}";
    }

    /// <summary>HEARTH_REQUIRE_VULKAN=1: the Vulkan tests must run (a missing loader or device is a failure).</summary>
    public static bool Required => Environment.GetEnvironmentVariable("HEARTH_REQUIRE_VULKAN") == "1";
}
