using System.Runtime.InteropServices;
using Hearth.Backends.Vulkan.Interop;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

/// <summary>
/// The process's one VkInstance (created on first use) and its physical devices. Creating an instance costs
/// milliseconds and lavapipe compiles every pipeline with LLVM, so instance and logical devices are shared
/// process-wide (see <see cref="VulkanContext.Get"/>).
/// </summary>
internal sealed unsafe class VulkanInstance
{
    private static readonly Lock Gate = new();
    private static VulkanInstance? _shared;
    private static string? _failure;

    private VulkanInstance(VkInstanceHandle handle, VkInstanceApi api, nint[] physicalDevices)
    {
        Handle = handle;
        Api = api;
        PhysicalDevices = physicalDevices;
        Devices = [.. physicalDevices.Select((p, i) => Describe(i, p))];
    }

    public VkInstanceHandle Handle { get; }
    public VkInstanceApi Api { get; }
    public nint[] PhysicalDevices { get; }
    public IReadOnlyList<VulkanDeviceInfo> Devices { get; }

    /// <summary>The shared instance, or false and why there is none (no loader, no driver, instance creation failed).</summary>
    public static bool TryGet(out VulkanInstance? instance, out string? problem)
    {
        lock (Gate)
        {
            if (_shared is null && _failure is null)
            {
                try
                {
                    _shared = Create();
                }
                catch (HearthException e)
                {
                    _failure = e.Message;
                }
            }
            instance = _shared;
            problem = _failure;
            return instance is not null;
        }
    }

    public static VulkanInstance Get() =>
        TryGet(out var instance, out var problem) ? instance! : throw new HearthException($"Vulkan is not available: {problem}");

    private static VulkanInstance Create()
    {
        if (!VkLoader.TryLoad(out var problem)) throw new HearthException(problem!);
        var get = VkLoader.GetInstanceProcAddr;
        var createInstance = (delegate* unmanaged<VkInstanceCreateInfo*, nint, nint*, VkResult>)VkInstanceApi.Load(get, 0, "vkCreateInstance");
        byte* appName = VkInstanceApi.Utf8("hearth");
        try
        {
            var app = new VkApplicationInfo
            {
                SType = VkStructureType.ApplicationInfo,
                PApplicationName = appName,
                PEngineName = appName,
                ApiVersion = VkConstants.ApiVersion12,
            };
            var info = new VkInstanceCreateInfo { SType = VkStructureType.InstanceCreateInfo, PApplicationInfo = &app };
            nint instance;
            VkLoader.Check(createInstance(&info, 0, &instance), "vkCreateInstance");
            var api = new VkInstanceApi(instance);
            var handle = new VkInstanceHandle(instance, api.DestroyInstance);
            uint count = 0;
            VkLoader.Check(api.EnumeratePhysicalDevices(instance, &count, null), "vkEnumeratePhysicalDevices");
            var devices = new nint[count];
            fixed (nint* p = devices) VkLoader.Check(api.EnumeratePhysicalDevices(instance, &count, p), "vkEnumeratePhysicalDevices");
            return new VulkanInstance(handle, api, devices[..(int)count]);
        }
        finally
        {
            Marshal.FreeHGlobal((nint)appName);
        }
    }

    public VkPhysicalDeviceProperties Properties(nint physical, out VkPhysicalDeviceSubgroupProperties subgroup, out VkPhysicalDeviceDriverProperties driver)
    {
        var driverProps = new VkPhysicalDeviceDriverProperties { SType = VkStructureType.PhysicalDeviceDriverProperties };
        var subgroupProps = new VkPhysicalDeviceSubgroupProperties { SType = VkStructureType.PhysicalDeviceSubgroupProperties, PNext = &driverProps };
        var props = new VkPhysicalDeviceProperties2 { SType = VkStructureType.PhysicalDeviceProperties2, PNext = &subgroupProps };
        Api.GetPhysicalDeviceProperties2(physical, &props);
        subgroup = subgroupProps;
        driver = driverProps;
        return props.Properties;
    }

    public (VkPhysicalDeviceVulkan11Features V11, VkPhysicalDeviceVulkan12Features V12) Features(nint physical)
    {
        var v12 = new VkPhysicalDeviceVulkan12Features { SType = VkStructureType.PhysicalDeviceVulkan12Features };
        var v11 = new VkPhysicalDeviceVulkan11Features { SType = VkStructureType.PhysicalDeviceVulkan11Features, PNext = &v12 };
        var features = new VkPhysicalDeviceFeatures2 { SType = VkStructureType.PhysicalDeviceFeatures2, PNext = &v11 };
        Api.GetPhysicalDeviceFeatures2(physical, &features);
        v11.PNext = null;
        v12.PNext = null;
        return (v11, v12);
    }

    public VkPhysicalDeviceMemoryProperties MemoryProperties(nint physical)
    {
        VkPhysicalDeviceMemoryProperties memory;
        Api.GetPhysicalDeviceMemoryProperties(physical, &memory);
        return memory;
    }

    public HashSet<string> Extensions(nint physical)
    {
        uint count = 0;
        VkLoader.Check(Api.EnumerateDeviceExtensionProperties(physical, null, &count, null), "vkEnumerateDeviceExtensionProperties");
        var list = new VkExtensionProperties[count];
        fixed (VkExtensionProperties* p = list)
        {
            VkLoader.Check(Api.EnumerateDeviceExtensionProperties(physical, null, &count, p), "vkEnumerateDeviceExtensionProperties");
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++) names.Add(VkInstanceApi.Text(p[i].ExtensionName, 256));
            return names;
        }
    }

    private VulkanDeviceInfo Describe(int index, nint physical)
    {
        var props = Properties(physical, out var subgroup, out var driver);
        var (_, v12) = Features(physical);
        var memory = MemoryProperties(physical);
        long deviceLocal = 0;
        for (int i = 0; i < memory.MemoryHeapCount; i++)
        {
            var heap = memory.Heap(i);
            if ((heap.Flags & VkConstants.MemoryHeapDeviceLocal) != 0) deviceLocal = Math.Max(deviceLocal, (long)heap.Size);
        }
        var extensions = Extensions(physical);
        string kind = props.DeviceType switch
        {
            VkPhysicalDeviceType.DiscreteGpu => "discrete GPU",
            VkPhysicalDeviceType.IntegratedGpu => "integrated GPU",
            VkPhysicalDeviceType.VirtualGpu => "virtual GPU",
            VkPhysicalDeviceType.Cpu => "CPU",
            _ => "other",
        };
        uint v = props.ApiVersion;
        return new VulkanDeviceInfo(
            index,
            VkInstanceApi.Text(props.DeviceName, 256),
            kind,
            props.VendorId,
            VulkanDeviceInfo.VendorName(props.VendorId),
            VkInstanceApi.Text(driver.DriverName, 256),
            VkInstanceApi.Text(driver.DriverInfo, 256),
            $"{v >> 22}.{(v >> 12) & 0x3FF}.{v & 0xFFF}",
            deviceLocal,
            (int)subgroup.SubgroupSize,
            (subgroup.SupportedOperations & VkSubgroupFeatureFlags.Arithmetic) != 0 && (subgroup.SupportedStages & VkConstants.ShaderStageCompute) != 0,
            v12.ShaderFloat16 != 0,
            v12.ShaderInt8 != 0,
            extensions.Contains("VK_KHR_cooperative_matrix") || extensions.Contains("VK_NV_cooperative_matrix"),
            props.MaxStorageBufferRange);
    }
}
