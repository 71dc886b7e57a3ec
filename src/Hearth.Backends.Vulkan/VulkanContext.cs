using Hearth.Backends.Vulkan.Interop;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

/// <summary>
/// A logical device on one physical device with one compute queue, shared by every <see cref="VulkanDevice"/> of
/// the process that uses that physical device (pipelines are compiled once per process). Queue submissions and
/// one-shot transfers are serialized by a lock; executables record into their own command pools.
/// </summary>
internal sealed unsafe partial class VulkanContext
{
    private static readonly Lock ContextsGate = new();
    private static readonly Dictionary<int, VulkanContext> Contexts = [];

    private readonly Lock _queueGate = new();
    private readonly VkObjectHandle _transferPool;
    private readonly VkObjectHandle _transferFence;
    private readonly nint _transferCommands;
    private readonly VkPhysicalDeviceMemoryProperties _memory;
    private long _allocatedBytes;

    private VulkanContext(VulkanInstance instance, int index)
    {
        Instance = instance;
        Index = index;
        Physical = instance.PhysicalDevices[index];
        Info = instance.Devices[index];
        var props = instance.Properties(Physical, out _, out _);
        MaxStorageBufferRange = props.MaxStorageBufferRange;
        StorageAlignment = (long)Math.Max(props.MinStorageBufferOffsetAlignment, 16UL);
        TimestampPeriodNs = props.TimestampPeriod;
        MaxWorkGroupCountX = props.MaxComputeWorkGroupCount[0];
        MaxPushConstantsSize = props.MaxPushConstantsSize;
        MaxSharedMemoryBytes = props.MaxComputeSharedMemorySize;
        _memory = instance.MemoryProperties(Physical);
        if (!Info.SubgroupArithmetic)
            throw new HearthException($"Vulkan device {index} ({Info.Name}) lacks subgroup arithmetic in compute shaders, which this backend needs");
        if (MaxPushConstantsSize < 128)
            throw new HearthException($"Vulkan device {index} ({Info.Name}) allows only {MaxPushConstantsSize} bytes of push constants, 128 are needed");

        QueueFamily = FindComputeQueue(out uint timestampBits);
        TimestampValidBits = timestampBits;
        (Handle, Api) = CreateDevice();
        nint queue;
        Api.GetDeviceQueue(Handle.DangerousGetHandle(), QueueFamily, 0, &queue);
        Queue = queue;
        _transferPool = CreateCommandPool();
        _transferCommands = AllocateCommandBuffer(_transferPool);
        _transferFence = CreateFence();
    }

    public VulkanInstance Instance { get; }
    public int Index { get; }
    public nint Physical { get; }
    public VulkanDeviceInfo Info { get; }
    public VkDeviceHandle Handle { get; }
    public VkDeviceApi Api { get; }
    public nint Device => Handle.DangerousGetHandle();
    public nint Queue { get; }
    public uint QueueFamily { get; }
    public uint TimestampValidBits { get; }
    public float TimestampPeriodNs { get; }
    public uint MaxWorkGroupCountX { get; }
    public uint MaxPushConstantsSize { get; }

    /// <summary>maxComputeSharedMemorySize: the tiled attention kernels need about 30 KiB.</summary>
    public uint MaxSharedMemoryBytes { get; }

    /// <summary>Largest byte range of one storage-buffer binding; tensors above it are split (see <see cref="WeightStore"/>).</summary>
    public long MaxStorageBufferRange { get; }

    /// <summary>Byte alignment of storage-buffer binding offsets (at least 16).</summary>
    public long StorageAlignment { get; }

    /// <summary>Bytes this process holds in buffers on the device.</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>The context of physical device <paramref name="index"/>, created on first use and kept for the process.</summary>
    public static VulkanContext Get(int index)
    {
        var instance = VulkanInstance.Get();
        if (instance.PhysicalDevices.Length == 0)
            throw new HearthException("Vulkan is installed but reports no devices (install a driver, e.g. mesa-vulkan-drivers)");
        if (index < 0 || index >= instance.PhysicalDevices.Length)
            throw new HearthException($"no Vulkan device {index}: found {instance.PhysicalDevices.Length} (vulkan:0 to vulkan:{instance.PhysicalDevices.Length - 1}; see `hearth devices`)");
        lock (ContextsGate)
        {
            if (!Contexts.TryGetValue(index, out var context))
            {
                context = new VulkanContext(instance, index);
                Contexts[index] = context;
            }
            return context;
        }
    }

    private uint FindComputeQueue(out uint timestampBits)
    {
        uint count = 0;
        Instance.Api.GetPhysicalDeviceQueueFamilyProperties(Physical, &count, null);
        var families = new VkQueueFamilyProperties[count];
        fixed (VkQueueFamilyProperties* p = families) Instance.Api.GetPhysicalDeviceQueueFamilyProperties(Physical, &count, p);
        // Prefer a compute queue that also does graphics (the "universal" queue: full speed on every vendor).
        int best = -1;
        for (int i = 0; i < count; i++)
        {
            if ((families[i].QueueFlags & VkQueueFlags.Compute) == 0) continue;
            if (best < 0 || (families[i].QueueFlags & VkQueueFlags.Graphics) != 0 && (families[best].QueueFlags & VkQueueFlags.Graphics) == 0) best = i;
        }
        if (best < 0) throw new HearthException($"Vulkan device {Index} ({Info.Name}) has no compute queue");
        timestampBits = families[best].TimestampValidBits;
        return (uint)best;
    }

    private (VkDeviceHandle, VkDeviceApi) CreateDevice()
    {
        float priority = 1f;
        var queueInfo = new VkDeviceQueueCreateInfo
        {
            SType = VkStructureType.DeviceQueueCreateInfo,
            QueueFamilyIndex = QueueFamily,
            QueueCount = 1,
            PQueuePriorities = &priority,
        };
        var info = new VkDeviceCreateInfo
        {
            SType = VkStructureType.DeviceCreateInfo,
            QueueCreateInfoCount = 1,
            PQueueCreateInfos = &queueInfo,
        };
        nint device;
        VkLoader.Check(Instance.Api.CreateDevice(Physical, &info, 0, &device), "vkCreateDevice");
        var api = new VkDeviceApi(Instance.Api, device);
        return (new VkDeviceHandle(device, api), api);
    }

    public VkObjectHandle CreateCommandPool()
    {
        var info = new VkCommandPoolCreateInfo
        {
            SType = VkStructureType.CommandPoolCreateInfo,
            Flags = VkConstants.CommandPoolCreateResetCommandBuffer,
            QueueFamilyIndex = QueueFamily,
        };
        nint pool;
        VkLoader.Check(Api.CreateCommandPool(Device, &info, 0, &pool), "vkCreateCommandPool");
        return new VkObjectHandle(Handle, pool, Api.DestroyCommandPool);
    }

    public nint AllocateCommandBuffer(VkObjectHandle pool)
    {
        var info = new VkCommandBufferAllocateInfo
        {
            SType = VkStructureType.CommandBufferAllocateInfo,
            CommandPool = pool.Value,
            Level = VkConstants.CommandBufferLevelPrimary,
            CommandBufferCount = 1,
        };
        nint commands;
        VkLoader.Check(Api.AllocateCommandBuffers(Device, &info, &commands), "vkAllocateCommandBuffers");
        return commands;
    }

    public VkObjectHandle CreateFence()
    {
        var info = new VkFenceCreateInfo { SType = VkStructureType.FenceCreateInfo };
        nint fence;
        VkLoader.Check(Api.CreateFence(Device, &info, 0, &fence), "vkCreateFence");
        return new VkObjectHandle(Handle, fence, Api.DestroyFence);
    }

    /// <summary>Set once the driver reports VK_ERROR_DEVICE_LOST: every later submission fails at once with the same message.</summary>
    public bool IsLost { get; private set; }

    /// <summary>How long a submission may run before it is reported as a hung device: 2 minutes on a GPU, 30 on a CPU driver.</summary>
    public TimeSpan DefaultStepTimeout => Info.IsGpu ? TimeSpan.FromMinutes(2) : TimeSpan.FromMinutes(30);

    /// <summary>
    /// Submits one recorded command buffer and waits for it (the only way work reaches the queue). When it does not
    /// finish within <paramref name="timeout"/> this throws a <see cref="VulkanException"/> with
    /// <see cref="VulkanException.IsTimeout"/>; the command buffer is then still pending (see <see cref="WaitIdle"/>).
    /// </summary>
    public void SubmitAndWait(nint commands, VkObjectHandle fence, TimeSpan? timeout = null)
    {
        if (IsLost) throw new VulkanException("vkQueueSubmit", VkResult.ErrorDeviceLost);
        nint fenceHandle = fence.Value;
        var submit = new VkSubmitInfo { SType = VkStructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &commands };
        var limit = timeout ?? DefaultStepTimeout;
        try
        {
            lock (_queueGate)
            {
                VkLoader.Check(Api.QueueSubmit(Queue, 1, &submit, fenceHandle), "vkQueueSubmit");
            }
            var waited = Api.WaitForFences(Device, 1, &fenceHandle, 1, Nanoseconds(limit));
            if (waited == VkResult.Timeout)
            {
                throw new VulkanException("vkWaitForFences", VkResult.Timeout,
                    $": the Vulkan device ({Info.Name}) did not finish a submission within {limit.TotalSeconds:0.###} s; it is hung or far too slow for this work");
            }
            VkLoader.Check(waited, "vkWaitForFences");
            VkLoader.Check(Api.ResetFences(Device, 1, &fenceHandle), "vkResetFences");
        }
        catch (VulkanException e) when (e.IsDeviceLost)
        {
            IsLost = true;
            throw;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a fence whose submission timed out; true (and the fence reset) once
    /// the work is done, false while it still runs.
    /// </summary>
    public bool WaitIdle(VkObjectHandle fence, TimeSpan timeout)
    {
        nint fenceHandle = fence.Value;
        var waited = Api.WaitForFences(Device, 1, &fenceHandle, 1, Nanoseconds(timeout));
        if (waited == VkResult.Timeout) return false;
        if (waited == VkResult.ErrorDeviceLost) IsLost = true;
        VkLoader.Check(waited, "vkWaitForFences");
        VkLoader.Check(Api.ResetFences(Device, 1, &fenceHandle), "vkResetFences");
        return true;
    }

    private static ulong Nanoseconds(TimeSpan timeout) => timeout <= TimeSpan.Zero ? 0 : (ulong)Math.Min(timeout.Ticks, long.MaxValue / 100) * 100;

    /// <summary>Records and runs a one-shot command buffer (staging copies), serialized with other one-shot work.</summary>
    public void RunOnce(Action<nint> record)
    {
        lock (_transferPool)
        {
            var begin = new VkCommandBufferBeginInfo { SType = VkStructureType.CommandBufferBeginInfo, Flags = 1 /* ONE_TIME_SUBMIT */ };
            VkLoader.Check(Api.ResetCommandBuffer(_transferCommands, 0), "vkResetCommandBuffer");
            VkLoader.Check(Api.BeginCommandBuffer(_transferCommands, &begin), "vkBeginCommandBuffer");
            record(_transferCommands);
            VkLoader.Check(Api.EndCommandBuffer(_transferCommands), "vkEndCommandBuffer");
            try
            {
                SubmitAndWait(_transferCommands, _transferFence);
            }
            catch (VulkanException e) when (e.IsTimeout)
            {
                IsLost = true;  // the shared transfer command buffer is still pending: nothing can reuse it
                throw;
            }
        }
    }

    public void Barrier(nint commands, VkPipelineStageFlags from, VkAccessFlags fromAccess, VkPipelineStageFlags to, VkAccessFlags toAccess)
    {
        var barrier = new VkMemoryBarrier { SType = VkStructureType.MemoryBarrier, SrcAccessMask = fromAccess, DstAccessMask = toAccess };
        Api.CmdPipelineBarrier(commands, (uint)from, (uint)to, 0, 1, &barrier, 0, null, 0, null);
    }

    internal void Released(long bytes) => Interlocked.Add(ref _allocatedBytes, -bytes);
}
