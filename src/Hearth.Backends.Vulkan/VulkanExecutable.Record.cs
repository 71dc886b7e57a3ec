using Hearth.Backends.Vulkan.Interop;

namespace Hearth.Backends.Vulkan;

// Descriptor sets, the recorded command buffer, and timestamp queries.
public sealed unsafe partial class VulkanExecutable
{
    private VkObjectHandle CreateDescriptorPool()
    {
        uint sets = (uint)Math.Max(1, _dispatches.Count);
        uint descriptors = (uint)Math.Max(1, _dispatches.Sum(d => d.Bindings.Length));
        var size = new VkDescriptorPoolSize { Type = VkConstants.DescriptorTypeStorageBuffer, DescriptorCount = descriptors };
        var info = new VkDescriptorPoolCreateInfo { SType = VkStructureType.DescriptorPoolCreateInfo, MaxSets = sets, PoolSizeCount = 1, PPoolSizes = &size };
        nint pool;
        VkLoader.Check(_context.Api.CreateDescriptorPool(_context.Device, &info, 0, &pool), "vkCreateDescriptorPool");
        return new VkObjectHandle(_context.Handle, pool, _context.Api.DestroyDescriptorPool);
    }

    private VkObjectHandle CreateQueryPool()
    {
        var info = new VkQueryPoolCreateInfo { SType = VkStructureType.QueryPoolCreateInfo, QueryType = VkConstants.QueryTypeTimestamp, QueryCount = QueryCount };
        nint pool;
        VkLoader.Check(_context.Api.CreateQueryPool(_context.Device, &info, 0, &pool), "vkCreateQueryPool");
        return new VkObjectHandle(_context.Handle, pool, _context.Api.DestroyQueryPool);
    }

    // 0: step start, 1: step end, 2 + i: after dispatch i (when profiling).
    private uint QueryCount => (uint)(2 + _dispatchMilliseconds.Length);

    private nint AllocateSet(VulkanPipeline pipeline, Slice[] bindings)
    {
        nint layout = pipeline.SetLayout;
        var allocate = new VkDescriptorSetAllocateInfo
        {
            SType = VkStructureType.DescriptorSetAllocateInfo,
            DescriptorPool = _descriptorPool.Value,
            DescriptorSetCount = 1,
            PSetLayouts = &layout,
        };
        nint set;
        VkLoader.Check(_context.Api.AllocateDescriptorSets(_context.Device, &allocate, &set), "vkAllocateDescriptorSets");
        var infos = stackalloc VkDescriptorBufferInfo[bindings.Length];
        var writes = stackalloc VkWriteDescriptorSet[bindings.Length];
        for (int i = 0; i < bindings.Length; i++)
        {
            var b = bindings[i];
            long range = Math.Min(b.Size, b.Buffer.Size - b.Offset);
            infos[i] = new VkDescriptorBufferInfo { Buffer = b.Buffer.Handle, Offset = (ulong)b.Offset, Range = (ulong)Math.Min(range, _context.MaxStorageBufferRange) };
            writes[i] = new VkWriteDescriptorSet
            {
                SType = VkStructureType.WriteDescriptorSet,
                DstSet = set,
                DstBinding = (uint)i,
                DescriptorCount = 1,
                DescriptorType = VkConstants.DescriptorTypeStorageBuffer,
                PBufferInfo = &infos[i],
            };
        }
        _context.Api.UpdateDescriptorSets(_context.Device, (uint)bindings.Length, writes, 0, null);
        return set;
    }

    private void Record()
    {
        var api = _context.Api;
        nint cmd = _commands;
        var begin = new VkCommandBufferBeginInfo { SType = VkStructureType.CommandBufferBeginInfo };
        VkLoader.Check(api.BeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
        if (_queries is not null)
        {
            api.CmdResetQueryPool(cmd, _queries.Value, 0, QueryCount);
            api.CmdWriteTimestamp(cmd, (uint)VkPipelineStageFlags.TopOfPipe, _queries.Value, 0);
        }
        // Inputs were written by the host before the submission; vkQueueSubmit makes host writes visible.
        var push = stackalloc uint[VulkanPipeline.PushConstantBytes / 4];
        for (int index = 0; index < _dispatches.Count; index++)
        {
            var d = _dispatches[index];
            nint set = AllocateSet(d.Pipeline, d.Bindings);
            api.CmdBindPipeline(cmd, VkConstants.PipelineBindPointCompute, d.Pipeline.Handle);
            api.CmdBindDescriptorSets(cmd, VkConstants.PipelineBindPointCompute, d.Pipeline.Layout, 0, 1, &set, 0, null);
            for (int i = 0; i < VulkanPipeline.PushConstantBytes / 4; i++) push[i] = i < d.Push.Length ? d.Push[i] : 0;
            api.CmdPushConstants(cmd, d.Pipeline.Layout, VkConstants.ShaderStageCompute, 0, VulkanPipeline.PushConstantBytes, push);
            api.CmdDispatch(cmd, d.X, d.Y, d.Z);
            // Every dispatch may read what the previous ones wrote (and the arena reuses bytes): a full compute barrier.
            _context.Barrier(cmd, VkPipelineStageFlags.ComputeShader, VkAccessFlags.ShaderWrite | VkAccessFlags.ShaderRead,
                VkPipelineStageFlags.ComputeShader, VkAccessFlags.ShaderRead | VkAccessFlags.ShaderWrite);
            if (_queries is not null && index < _dispatchMilliseconds.Length)
                api.CmdWriteTimestamp(cmd, (uint)VkPipelineStageFlags.BottomOfPipe, _queries.Value, (uint)(2 + index));
        }
        if (_outputOffsets.Count > 0)
        {
            _context.Barrier(cmd, VkPipelineStageFlags.ComputeShader, VkAccessFlags.ShaderWrite, VkPipelineStageFlags.Transfer, VkAccessFlags.TransferRead);
            foreach (var (node, offset) in _outputOffsets)
            {
                var source = Value(node);
                var copy = new VkBufferCopy { SrcOffset = (ulong)source.Offset, DstOffset = (ulong)offset, Size = (ulong)(node.Shape.ElementCount * 4) };
                api.CmdCopyBuffer(cmd, source.Buffer.Handle, _io.Handle, 1, &copy);
            }
            _context.Barrier(cmd, VkPipelineStageFlags.Transfer, VkAccessFlags.TransferWrite, VkPipelineStageFlags.Host, VkAccessFlags.HostRead);
        }
        if (_queries is not null) api.CmdWriteTimestamp(cmd, (uint)VkPipelineStageFlags.BottomOfPipe, _queries.Value, 1);
        VkLoader.Check(api.EndCommandBuffer(cmd), "vkEndCommandBuffer");
    }

    private void ReadTimestamps()
    {
        if (_queries is null) return;
        int count = (int)QueryCount;
        var stamps = stackalloc ulong[count];
        VkLoader.Check(_context.Api.GetQueryPoolResults(_context.Device, _queries.Value, 0, QueryCount, (nuint)(8 * count), stamps, 8,
            VkConstants.QueryResult64 | VkConstants.QueryResultWait), "vkGetQueryPoolResults");
        ulong mask = _context.TimestampValidBits >= 64 ? ulong.MaxValue : (1UL << (int)_context.TimestampValidBits) - 1;
        double msPerTick = _context.TimestampPeriodNs / 1e6;
        LastGpuMilliseconds = ((stamps[1] - stamps[0]) & mask) * msPerTick;
        ulong previous = stamps[0];
        for (int i = 0; i < _dispatchMilliseconds.Length; i++)
        {
            _dispatchMilliseconds[i] = ((stamps[2 + i] - previous) & mask) * msPerTick;
            previous = stamps[2 + i];
        }
    }
}
