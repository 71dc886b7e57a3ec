using System.Runtime.CompilerServices;
using Hearth.Backends.Vulkan.Interop;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>
/// Struct sizes against vulkan_core.h as a C compiler lays it out on x86-64 (gcc, Vulkan headers 1.3.239: printed with
/// sizeof/offsetof), so a field added or dropped by mistake fails here instead of corrupting a driver call.
/// </summary>
public class InteropLayoutTests
{
    [Fact]
    public void Struct_sizes_match_the_C_headers()
    {
        Assert.Equal(824, Unsafe.SizeOf<VkPhysicalDeviceProperties>());
        Assert.Equal(840, Unsafe.SizeOf<VkPhysicalDeviceProperties2>());
        Assert.Equal(520, Unsafe.SizeOf<VkPhysicalDeviceMemoryProperties>());
        Assert.Equal(32, Unsafe.SizeOf<VkPhysicalDeviceSubgroupProperties>());
        Assert.Equal(536, Unsafe.SizeOf<VkPhysicalDeviceDriverProperties>());
        Assert.Equal(208, Unsafe.SizeOf<VkPhysicalDeviceVulkan12Features>());
        Assert.Equal(64, Unsafe.SizeOf<VkPhysicalDeviceVulkan11Features>());
        Assert.Equal(24, Unsafe.SizeOf<VkQueueFamilyProperties>());
        Assert.Equal(64, Unsafe.SizeOf<VkWriteDescriptorSet>());
        Assert.Equal(96, Unsafe.SizeOf<VkComputePipelineCreateInfo>());
        Assert.Equal(48, Unsafe.SizeOf<VkPipelineShaderStageCreateInfo>());
        Assert.Equal(72, Unsafe.SizeOf<VkSubmitInfo>());
        Assert.Equal(24, Unsafe.SizeOf<VkMemoryBarrier>());
        Assert.Equal(56, Unsafe.SizeOf<VkBufferCreateInfo>());
        Assert.Equal(24, Unsafe.SizeOf<VkMemoryRequirements>());
        Assert.Equal(72, Unsafe.SizeOf<VkDeviceCreateInfo>());
        Assert.Equal(64, Unsafe.SizeOf<VkInstanceCreateInfo>());
        Assert.Equal(32, Unsafe.SizeOf<VkSpecializationInfo>());
        Assert.Equal(16, Unsafe.SizeOf<VkSpecializationMapEntry>());
        Assert.Equal(24, Unsafe.SizeOf<VkDescriptorSetLayoutBinding>());
    }
}
