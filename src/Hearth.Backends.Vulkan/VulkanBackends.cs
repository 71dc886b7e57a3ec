using Hearth.Compute;

namespace Hearth.Backends.Vulkan;

/// <summary>Registers the Vulkan backend and lists Vulkan devices.</summary>
public static class VulkanBackends
{
    /// <summary>Backend name: "vulkan" (a device index is chosen with <see cref="VulkanDeviceOptions.DeviceIndex"/> or <c>--device vulkan:N</c>).</summary>
    public const string Name = "vulkan";

    /// <summary>
    /// Registers "vulkan" in <see cref="BackendRegistry"/> without touching Vulkan: creating the device later fails
    /// with a clear message when there is no loader or device. Safe to call more than once.
    /// </summary>
    public static void Register() =>
        BackendRegistry.Register(Name, options => new VulkanDevice(new VulkanDeviceOptions { DeviceIndex = options.DeviceIndex }));

    /// <summary>
    /// Registers "vulkan" only when a Vulkan loader and a device usable by this backend exist (the conformance suite
    /// tests every registered backend); otherwise registers nothing and says why.
    /// </summary>
    public static bool RegisterIfAvailable(out string? problem)
    {
        if (!TryListDevices(out var devices, out problem)) return false;
        if (!devices.Any(d => d.SubgroupArithmetic))
        {
            problem = "no Vulkan device supports subgroup arithmetic in compute shaders";
            return false;
        }
        Register();
        return true;
    }

    /// <summary>Every Vulkan physical device, or false and why there are none (no loader, no driver).</summary>
    public static bool TryListDevices(out IReadOnlyList<VulkanDeviceInfo> devices, out string? problem)
    {
        if (!VulkanInstance.TryGet(out var instance, out problem))
        {
            devices = [];
            return false;
        }
        devices = instance!.Devices;
        if (devices.Count == 0)
        {
            problem = "the Vulkan loader found no devices (install a driver, e.g. mesa-vulkan-drivers)";
            return false;
        }
        return true;
    }

    /// <summary>The device "vulkan" without an index means: the first GPU, else device 0 (a software driver).</summary>
    public static int DefaultDeviceIndex()
    {
        if (!TryListDevices(out var devices, out var problem)) throw new Core.HearthException($"Vulkan is not available: {problem}");
        var gpu = devices.FirstOrDefault(d => d.IsGpu && d.SubgroupArithmetic);
        return gpu?.Index ?? devices.First(d => d.SubgroupArithmetic).Index;
    }
}
