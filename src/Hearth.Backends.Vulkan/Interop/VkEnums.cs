namespace Hearth.Backends.Vulkan.Interop;

// Values from the Vulkan registry (vulkan_core.h); only what this backend uses.

internal enum VkResult
{
    Success = 0,
    NotReady = 1,
    Timeout = 2,
    Incomplete = 5,
    ErrorOutOfHostMemory = -1,
    ErrorOutOfDeviceMemory = -2,
    ErrorInitializationFailed = -3,
    ErrorDeviceLost = -4,
    ErrorMemoryMapFailed = -5,
    ErrorLayerNotPresent = -6,
    ErrorExtensionNotPresent = -7,
    ErrorFeatureNotPresent = -8,
    ErrorIncompatibleDriver = -9,
    ErrorTooManyObjects = -10,
    ErrorFormatNotSupported = -11,
    ErrorFragmentedPool = -12,
    ErrorOutOfPoolMemory = -1000069000,
}

internal enum VkStructureType : uint
{
    ApplicationInfo = 0,
    InstanceCreateInfo = 1,
    DeviceQueueCreateInfo = 2,
    DeviceCreateInfo = 3,
    SubmitInfo = 4,
    MemoryAllocateInfo = 5,
    FenceCreateInfo = 8,
    QueryPoolCreateInfo = 11,
    BufferCreateInfo = 12,
    ShaderModuleCreateInfo = 16,
    PipelineShaderStageCreateInfo = 18,
    ComputePipelineCreateInfo = 29,
    PipelineLayoutCreateInfo = 30,
    DescriptorSetLayoutCreateInfo = 32,
    DescriptorPoolCreateInfo = 33,
    DescriptorSetAllocateInfo = 34,
    WriteDescriptorSet = 35,
    CommandPoolCreateInfo = 39,
    CommandBufferAllocateInfo = 40,
    CommandBufferBeginInfo = 42,
    MemoryBarrier = 46,
    PhysicalDeviceSubgroupProperties = 1000094000,
    PhysicalDeviceFeatures2 = 1000059000,
    PhysicalDeviceProperties2 = 1000059001,
    PhysicalDeviceVulkan11Features = 49,
    PhysicalDeviceVulkan12Features = 51,
    PhysicalDeviceDriverProperties = 1000196000,
}

internal enum VkPhysicalDeviceType : uint
{
    Other = 0,
    IntegratedGpu = 1,
    DiscreteGpu = 2,
    VirtualGpu = 3,
    Cpu = 4,
}

[Flags]
internal enum VkMemoryPropertyFlags : uint
{
    DeviceLocal = 0x1,
    HostVisible = 0x2,
    HostCoherent = 0x4,
    HostCached = 0x8,
}

[Flags]
internal enum VkQueueFlags : uint
{
    Graphics = 0x1,
    Compute = 0x2,
    Transfer = 0x4,
}

[Flags]
internal enum VkBufferUsageFlags : uint
{
    TransferSrc = 0x1,
    TransferDst = 0x2,
    StorageBuffer = 0x20,
}

[Flags]
internal enum VkSubgroupFeatureFlags : uint
{
    Basic = 0x1,
    Vote = 0x2,
    Arithmetic = 0x4,
    Ballot = 0x8,
    Shuffle = 0x10,
}

[Flags]
internal enum VkPipelineStageFlags : uint
{
    TopOfPipe = 0x1,
    ComputeShader = 0x800,
    Transfer = 0x1000,
    BottomOfPipe = 0x2000,
    Host = 0x4000,
}

[Flags]
internal enum VkAccessFlags : uint
{
    ShaderRead = 0x20,
    ShaderWrite = 0x40,
    TransferRead = 0x800,
    TransferWrite = 0x1000,
    HostRead = 0x2000,
    HostWrite = 0x4000,
}

internal static class VkConstants
{
    public const uint ShaderStageCompute = 0x20;
    public const uint DescriptorTypeStorageBuffer = 7;
    public const uint QueryTypeTimestamp = 2;
    public const uint CommandPoolCreateResetCommandBuffer = 0x2;
    public const uint DescriptorPoolCreateFreeDescriptorSet = 0x1;
    public const uint CommandBufferLevelPrimary = 0;
    public const uint PipelineBindPointCompute = 1;
    public const uint QueryResult64 = 0x1;
    public const uint QueryResultWait = 0x2;
    public const ulong WholeSize = ulong.MaxValue;
    public const uint ApiVersion12 = (1u << 22) | (2u << 12);
    public const uint MaxPhysicalDeviceNameSize = 256;
    public const uint MaxMemoryTypes = 32;
    public const uint MaxMemoryHeaps = 16;
    public const uint MemoryHeapDeviceLocal = 0x1;
}
