using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

public class InstanceTests
{
    [VulkanFact]
    public void Devices_are_listed_with_their_properties()
    {
        Assert.True(VulkanBackends.TryListDevices(out var devices, out var problem), problem);
        Assert.NotEmpty(devices);
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            Assert.Equal(i, d.Index);
            Assert.False(string.IsNullOrWhiteSpace(d.Name));
            Assert.False(string.IsNullOrWhiteSpace(d.Driver));
            Assert.True(d.SubgroupSize is >= 1 and <= 128, $"subgroup size {d.SubgroupSize}");
            Assert.True(d.MaxStorageBufferRange >= 1 << 27, $"maxStorageBufferRange {d.MaxStorageBufferRange}");
            Assert.True(d.DeviceLocalBytes > 0);
            Assert.Matches(@"^1\.\d+\.\d+$", d.ApiVersion);
        }
    }

    [VulkanFact]
    public void Lavapipe_reports_what_vulkaninfo_reports()
    {
        Assert.True(VulkanBackends.TryListDevices(out var devices, out _));
        var lavapipe = devices.FirstOrDefault(d => d.Driver == "llvmpipe");
        if (lavapipe is null) return; // a machine with only hardware drivers: the generic test above covers it
        Assert.Equal("CPU", lavapipe.Kind);
        Assert.False(lavapipe.IsGpu);
        Assert.Equal("Mesa", lavapipe.Vendor);
        Assert.StartsWith("llvmpipe", lavapipe.Name, StringComparison.Ordinal);
        Assert.Equal(128L << 20, lavapipe.MaxStorageBufferRange);
        Assert.True(lavapipe.SubgroupArithmetic);
        Assert.True(lavapipe.Float16);
        Assert.True(lavapipe.Int8);
    }

    [VulkanFact]
    public void A_missing_device_index_is_a_clear_error()
    {
        var e = Assert.Throws<HearthException>(() => new VulkanDevice(new VulkanDeviceOptions { DeviceIndex = 99 }));
        Assert.Contains("no Vulkan device 99", e.Message, StringComparison.Ordinal);
        Assert.Contains("hearth devices", e.Message, StringComparison.Ordinal);
    }
}
