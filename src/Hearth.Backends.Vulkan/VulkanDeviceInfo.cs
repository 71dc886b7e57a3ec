namespace Hearth.Backends.Vulkan;

/// <summary>What `hearth devices` prints about one Vulkan physical device.</summary>
/// <param name="Index">Position in the loader's enumeration: the N of <c>--device vulkan:N</c>.</param>
/// <param name="Kind">"discrete GPU", "integrated GPU", "virtual GPU", "CPU" (a software driver such as lavapipe) or "other".</param>
/// <param name="DeviceLocalBytes">Size of the largest device-local memory heap.</param>
/// <param name="SubgroupSize">Default subgroup (wave/warp) size.</param>
/// <param name="SubgroupArithmetic">Whether compute shaders can use subgroupAdd and friends (this backend needs them).</param>
/// <param name="Float16">shaderFloat16.</param>
/// <param name="Int8">shaderInt8.</param>
/// <param name="CooperativeMatrix">VK_KHR_cooperative_matrix or VK_NV_cooperative_matrix is available.</param>
/// <param name="MaxStorageBufferRange">Largest range one storage-buffer binding may cover; larger tensors are split.</param>
public sealed record VulkanDeviceInfo(
    int Index,
    string Name,
    string Kind,
    uint VendorId,
    string Vendor,
    string Driver,
    string DriverInfo,
    string ApiVersion,
    long DeviceLocalBytes,
    int SubgroupSize,
    bool SubgroupArithmetic,
    bool Float16,
    bool Int8,
    bool CooperativeMatrix,
    long MaxStorageBufferRange)
{
    /// <summary>A GPU (not a software rasterizer on the CPU); <c>--device auto</c> picks only these.</summary>
    public bool IsGpu => Kind is "discrete GPU" or "integrated GPU" or "virtual GPU";

    internal static string VendorName(uint id) => id switch
    {
        0x1002 => "AMD",
        0x10DE => "NVIDIA",
        0x8086 => "Intel",
        0x13B5 => "ARM",
        0x5143 => "Qualcomm",
        0x106B => "Apple",
        0x1010 => "Imagination",
        0x10005 => "Mesa",
        _ => $"0x{id:X4}",
    };
}
