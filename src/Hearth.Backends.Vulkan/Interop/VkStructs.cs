using System.Runtime.InteropServices;

namespace Hearth.Backends.Vulkan.Interop;

// Vulkan structs as blittable types. Sequential structs mirror vulkan_core.h field by field; the few large
// structs of which we read a handful of fields (properties, limits, features) use explicit offsets taken from
// vulkan_core.h on x86-64 / arm64 and checked by VulkanInteropTests (sizes and offsets printed by a C compiler).
// Handles are nint: this backend runs only in 64-bit processes, where every Vulkan handle is 64 bits.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkApplicationInfo
{
    public VkStructureType SType;
    public void* PNext;
    public byte* PApplicationName;
    public uint ApplicationVersion;
    public byte* PEngineName;
    public uint EngineVersion;
    public uint ApiVersion;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkInstanceCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public VkApplicationInfo* PApplicationInfo;
    public uint EnabledLayerCount;
    public byte** PpEnabledLayerNames;
    public uint EnabledExtensionCount;
    public byte** PpEnabledExtensionNames;
}

/// <summary>VkPhysicalDeviceProperties (824 bytes) with VkPhysicalDeviceLimits at offset 296; only the fields we read.</summary>
[StructLayout(LayoutKind.Explicit, Size = 824)]
internal unsafe struct VkPhysicalDeviceProperties
{
    [FieldOffset(0)] public uint ApiVersion;
    [FieldOffset(4)] public uint DriverVersion;
    [FieldOffset(8)] public uint VendorId;
    [FieldOffset(12)] public uint DeviceId;
    [FieldOffset(16)] public VkPhysicalDeviceType DeviceType;
    [FieldOffset(20)] public fixed byte DeviceName[256];
    [FieldOffset(296 + 28)] public uint MaxStorageBufferRange;
    [FieldOffset(296 + 32)] public uint MaxPushConstantsSize;
    [FieldOffset(296 + 216)] public uint MaxComputeSharedMemorySize;
    [FieldOffset(296 + 220)] public fixed uint MaxComputeWorkGroupCount[3];
    [FieldOffset(296 + 232)] public uint MaxComputeWorkGroupInvocations;
    [FieldOffset(296 + 236)] public fixed uint MaxComputeWorkGroupSize[3];
    [FieldOffset(296 + 328)] public ulong MinStorageBufferOffsetAlignment;
    [FieldOffset(296 + 420)] public uint TimestampComputeAndGraphics;
    [FieldOffset(296 + 424)] public float TimestampPeriod;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkPhysicalDeviceProperties2
{
    public VkStructureType SType;
    public void* PNext;
    public VkPhysicalDeviceProperties Properties;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkPhysicalDeviceSubgroupProperties
{
    public VkStructureType SType;
    public void* PNext;
    public uint SubgroupSize;
    public uint SupportedStages;
    public VkSubgroupFeatureFlags SupportedOperations;
    public uint QuadOperationsInAllStages;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkPhysicalDeviceDriverProperties
{
    public VkStructureType SType;
    public void* PNext;
    public uint DriverId;
    public fixed byte DriverName[256];
    public fixed byte DriverInfo[256];
    public uint ConformanceVersion;
}

/// <summary>VkPhysicalDeviceFeatures2 wraps the 55 VkBool32 of VkPhysicalDeviceFeatures (220 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 240)]
internal unsafe struct VkPhysicalDeviceFeatures2
{
    [FieldOffset(0)] public VkStructureType SType;
    [FieldOffset(8)] public void* PNext;
}

/// <summary>VkPhysicalDeviceVulkan11Features (64 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal unsafe struct VkPhysicalDeviceVulkan11Features
{
    [FieldOffset(0)] public VkStructureType SType;
    [FieldOffset(8)] public void* PNext;
    [FieldOffset(16)] public uint StorageBuffer16BitAccess;
}

/// <summary>VkPhysicalDeviceVulkan12Features (208 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 208)]
internal unsafe struct VkPhysicalDeviceVulkan12Features
{
    [FieldOffset(0)] public VkStructureType SType;
    [FieldOffset(8)] public void* PNext;
    [FieldOffset(24)] public uint StorageBuffer8BitAccess;
    [FieldOffset(44)] public uint ShaderFloat16;
    [FieldOffset(48)] public uint ShaderInt8;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkMemoryType
{
    public VkMemoryPropertyFlags PropertyFlags;
    public uint HeapIndex;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkMemoryHeap
{
    public ulong Size;
    public uint Flags;
}

/// <summary>VkPhysicalDeviceMemoryProperties (520 bytes): 32 types then 16 heaps.</summary>
[StructLayout(LayoutKind.Explicit, Size = 520)]
internal unsafe struct VkPhysicalDeviceMemoryProperties
{
    [FieldOffset(0)] public uint MemoryTypeCount;
    [FieldOffset(4)] private fixed uint _types[64];
    [FieldOffset(260)] public uint MemoryHeapCount;
    [FieldOffset(264)] private fixed ulong _heaps[32];

    public readonly VkMemoryType Type(int i) => new() { PropertyFlags = (VkMemoryPropertyFlags)_types[2 * i], HeapIndex = _types[2 * i + 1] };

    public readonly VkMemoryHeap Heap(int i) => new() { Size = _heaps[2 * i], Flags = (uint)_heaps[2 * i + 1] };
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkQueueFamilyProperties
{
    public VkQueueFlags QueueFlags;
    public uint QueueCount;
    public uint TimestampValidBits;
    public uint ImageGranularityWidth, ImageGranularityHeight, ImageGranularityDepth;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkExtensionProperties
{
    public fixed byte ExtensionName[256];
    public uint SpecVersion;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkDeviceQueueCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint QueueFamilyIndex;
    public uint QueueCount;
    public float* PQueuePriorities;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkDeviceCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint QueueCreateInfoCount;
    public VkDeviceQueueCreateInfo* PQueueCreateInfos;
    public uint EnabledLayerCount;
    public byte** PpEnabledLayerNames;
    public uint EnabledExtensionCount;
    public byte** PpEnabledExtensionNames;
    public void* PEnabledFeatures;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkBufferCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public ulong Size;
    public VkBufferUsageFlags Usage;
    public uint SharingMode;
    public uint QueueFamilyIndexCount;
    public uint* PQueueFamilyIndices;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkMemoryRequirements
{
    public ulong Size;
    public ulong Alignment;
    public uint MemoryTypeBits;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkMemoryAllocateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public ulong AllocationSize;
    public uint MemoryTypeIndex;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkShaderModuleCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public nuint CodeSize;
    public uint* PCode;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkDescriptorSetLayoutBinding
{
    public uint Binding;
    public uint DescriptorType;
    public uint DescriptorCount;
    public uint StageFlags;
    public nint* PImmutableSamplers;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkDescriptorSetLayoutCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint BindingCount;
    public VkDescriptorSetLayoutBinding* PBindings;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkPushConstantRange
{
    public uint StageFlags;
    public uint Offset;
    public uint Size;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkPipelineLayoutCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint SetLayoutCount;
    public nint* PSetLayouts;
    public uint PushConstantRangeCount;
    public VkPushConstantRange* PPushConstantRanges;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkSpecializationMapEntry
{
    public uint ConstantId;
    public uint Offset;
    public nuint Size;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkSpecializationInfo
{
    public uint MapEntryCount;
    public VkSpecializationMapEntry* PMapEntries;
    public nuint DataSize;
    public void* PData;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkPipelineShaderStageCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint Stage;
    public nint Module;
    public byte* PName;
    public VkSpecializationInfo* PSpecializationInfo;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkComputePipelineCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public VkPipelineShaderStageCreateInfo Stage;
    public nint Layout;
    public nint BasePipelineHandle;
    public int BasePipelineIndex;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkDescriptorPoolSize
{
    public uint Type;
    public uint DescriptorCount;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkDescriptorPoolCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint MaxSets;
    public uint PoolSizeCount;
    public VkDescriptorPoolSize* PPoolSizes;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkDescriptorSetAllocateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public nint DescriptorPool;
    public uint DescriptorSetCount;
    public nint* PSetLayouts;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkDescriptorBufferInfo
{
    public nint Buffer;
    public ulong Offset;
    public ulong Range;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkWriteDescriptorSet
{
    public VkStructureType SType;
    public void* PNext;
    public nint DstSet;
    public uint DstBinding;
    public uint DstArrayElement;
    public uint DescriptorCount;
    public uint DescriptorType;
    public void* PImageInfo;
    public VkDescriptorBufferInfo* PBufferInfo;
    public void* PTexelBufferView;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkCommandPoolCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint QueueFamilyIndex;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkCommandBufferAllocateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public nint CommandPool;
    public uint Level;
    public uint CommandBufferCount;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkCommandBufferBeginInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public void* PInheritanceInfo;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkMemoryBarrier
{
    public VkStructureType SType;
    public void* PNext;
    public VkAccessFlags SrcAccessMask;
    public VkAccessFlags DstAccessMask;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VkBufferCopy
{
    public ulong SrcOffset;
    public ulong DstOffset;
    public ulong Size;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkSubmitInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint WaitSemaphoreCount;
    public nint* PWaitSemaphores;
    public uint* PWaitDstStageMask;
    public uint CommandBufferCount;
    public nint* PCommandBuffers;
    public uint SignalSemaphoreCount;
    public nint* PSignalSemaphores;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkFenceCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VkQueryPoolCreateInfo
{
    public VkStructureType SType;
    public void* PNext;
    public uint Flags;
    public uint QueryType;
    public uint QueryCount;
    public uint PipelineStatistics;
}
