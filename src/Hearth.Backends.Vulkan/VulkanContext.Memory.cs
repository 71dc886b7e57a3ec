using Hearth.Backends.Vulkan.Interop;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

/// <summary>Where a buffer lives.</summary>
internal enum BufferPlace
{
    /// <summary>Device-local (weights, activations, KV cache); mapped as well where the device allows it (UMA, ReBAR, lavapipe).</summary>
    Device,
    /// <summary>Host-visible and coherent: step inputs, outputs read back, staging.</summary>
    Host,
}

internal sealed unsafe partial class VulkanContext
{
    /// <summary>
    /// Tests: leave device buffers unmapped even where the memory is host-visible (lavapipe, UMA), so the staging
    /// copies that discrete GPUs need run too.
    /// </summary>
    internal bool ForceStaging { get; set; }

    /// <summary>Creates a buffer with its own memory; out-of-memory becomes a message with what was needed and what there is.</summary>
    public VulkanBuffer CreateBuffer(long size, BufferPlace place, string purpose)
    {
        size = Math.Max(16, (size + 15) & ~15L);
        var info = new VkBufferCreateInfo
        {
            SType = VkStructureType.BufferCreateInfo,
            Size = (ulong)size,
            Usage = VkBufferUsageFlags.StorageBuffer | VkBufferUsageFlags.TransferSrc | VkBufferUsageFlags.TransferDst,
        };
        nint buffer;
        VkLoader.Check(Api.CreateBuffer(Device, &info, 0, &buffer), $"vkCreateBuffer ({purpose}, {size} bytes)");
        var bufferHandle = new VkObjectHandle(Handle, buffer, Api.DestroyBuffer);
        try
        {
            VkMemoryRequirements requirements;
            Api.GetBufferMemoryRequirements(Device, buffer, &requirements);
            int type = ChooseMemoryType(requirements.MemoryTypeBits, place);
            var allocate = new VkMemoryAllocateInfo
            {
                SType = VkStructureType.MemoryAllocateInfo,
                AllocationSize = requirements.Size,
                MemoryTypeIndex = (uint)type,
            };
            nint memory;
            var result = Api.AllocateMemory(Device, &allocate, 0, &memory);
            if (result is VkResult.ErrorOutOfDeviceMemory or VkResult.ErrorOutOfHostMemory)
                throw new HearthException(OutOfMemory(purpose, (long)requirements.Size, type));
            VkLoader.Check(result, $"vkAllocateMemory ({purpose}, {requirements.Size} bytes)");
            var memoryHandle = new VkObjectHandle(Handle, memory, Api.FreeMemory);
            VkLoader.Check(Api.BindBufferMemory(Device, buffer, memory, 0), "vkBindBufferMemory");
            byte* mapped = null;
            if ((_memory.Type(type).PropertyFlags & VkMemoryPropertyFlags.HostVisible) != 0 && !(place == BufferPlace.Device && ForceStaging))
            {
                void* p;
                VkLoader.Check(Api.MapMemory(Device, memory, 0, VkConstants.WholeSize, 0, &p), "vkMapMemory");
                mapped = (byte*)p;
            }
            Interlocked.Add(ref _allocatedBytes, size);
            return new VulkanBuffer(this, bufferHandle, memoryHandle, size, mapped);
        }
        catch
        {
            bufferHandle.Dispose();
            throw;
        }
    }

    private string OutOfMemory(string purpose, long needed, int type)
    {
        var heap = _memory.Heap((int)_memory.Type(type).HeapIndex);
        return $"not enough memory on Vulkan device {Index} ({Info.Name}) for {purpose}: needs {Mib(needed)}, the heap has {Mib((long)heap.Size)} " +
            $"of which Hearth already holds {Mib(AllocatedBytes)} (other programs may hold more); try a smaller model, a smaller --context, or --device cpu";
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MiB";

    private int ChooseMemoryType(uint allowed, BufferPlace place)
    {
        // Ranked wishes: device memory that is also mappable (no staging), then any device memory, then anything;
        // host buffers must be host-visible and coherent.
        VkMemoryPropertyFlags[] wishes = place == BufferPlace.Device
            ? [VkMemoryPropertyFlags.DeviceLocal | VkMemoryPropertyFlags.HostVisible | VkMemoryPropertyFlags.HostCoherent, VkMemoryPropertyFlags.DeviceLocal, 0]
            : [VkMemoryPropertyFlags.HostVisible | VkMemoryPropertyFlags.HostCoherent | VkMemoryPropertyFlags.HostCached, VkMemoryPropertyFlags.HostVisible | VkMemoryPropertyFlags.HostCoherent];
        foreach (var wish in wishes)
        {
            for (int i = 0; i < _memory.MemoryTypeCount; i++)
            {
                if ((allowed & (1u << i)) != 0 && (_memory.Type(i).PropertyFlags & wish) == wish) return i;
            }
        }
        throw new HearthException($"Vulkan device {Index} ({Info.Name}) has no suitable memory type for {place} buffers");
    }

    // Staging copies for device memory that cannot be mapped (discrete GPUs without ReBAR).
    private const long StagingChunk = 64L << 20;

    public void Upload(VulkanBuffer target, long offset, ReadOnlySpan<byte> data)
    {
        using var staging = CreateBuffer(Math.Min(StagingChunk, data.Length), BufferPlace.Host, "staging");
        for (long done = 0; done < data.Length; done += StagingChunk)
        {
            int count = (int)Math.Min(StagingChunk, data.Length - done);
            data.Slice((int)done, count).CopyTo(new Span<byte>(staging.Mapped, count));
            var copy = new VkBufferCopy { SrcOffset = 0, DstOffset = (ulong)(offset + done), Size = (ulong)count };
            RunOnce(cmd => { var c = copy; Api.CmdCopyBuffer(cmd, staging.Handle, target.Handle, 1, &c); });
        }
    }

    public void Download(VulkanBuffer source, long offset, Span<byte> destination)
    {
        using var staging = CreateBuffer(Math.Min(StagingChunk, destination.Length), BufferPlace.Host, "staging");
        for (long done = 0; done < destination.Length; done += StagingChunk)
        {
            int count = (int)Math.Min(StagingChunk, destination.Length - done);
            var copy = new VkBufferCopy { SrcOffset = (ulong)(offset + done), DstOffset = 0, Size = (ulong)count };
            RunOnce(cmd => { var c = copy; Api.CmdCopyBuffer(cmd, source.Handle, staging.Handle, 1, &c); });
            new ReadOnlySpan<byte>(staging.Mapped, count).CopyTo(destination.Slice((int)done, count));
        }
    }

    /// <summary>Copies bytes between two non-overlapping ranges of one buffer on the device.</summary>
    public void CopyWithin(VulkanBuffer buffer, long from, long to, long size)
    {
        var copy = new VkBufferCopy { SrcOffset = (ulong)from, DstOffset = (ulong)to, Size = (ulong)size };
        RunOnce(cmd => { var c = copy; Api.CmdCopyBuffer(cmd, buffer.Handle, buffer.Handle, 1, &c); });
    }

    /// <summary>Zero-fills [offset, offset + size) of a buffer on the device.</summary>
    public void Fill(VulkanBuffer target, long offset, long size) =>
        RunOnce(cmd => Api.CmdFillBuffer(cmd, target.Handle, (ulong)offset, (ulong)size, 0));
}
