using Hearth.Backends.Vulkan.Interop;

namespace Hearth.Backends.Vulkan;

internal sealed unsafe partial class VulkanContext
{
    /// <summary>Runs one dispatch right away with whole buffers bound (tests and one-off work; steps use recorded command buffers).</summary>
    public void DispatchNow(VulkanPipeline pipeline, VulkanBuffer[] buffers, uint[] push, uint x, uint y = 1, uint z = 1)
    {
        var size = new VkDescriptorPoolSize { Type = VkConstants.DescriptorTypeStorageBuffer, DescriptorCount = (uint)Math.Max(1, buffers.Length) };
        var poolInfo = new VkDescriptorPoolCreateInfo { SType = VkStructureType.DescriptorPoolCreateInfo, MaxSets = 1, PoolSizeCount = 1, PPoolSizes = &size };
        nint pool;
        VkLoader.Check(Api.CreateDescriptorPool(Device, &poolInfo, 0, &pool), "vkCreateDescriptorPool");
        using var poolHandle = new VkObjectHandle(Handle, pool, Api.DestroyDescriptorPool);
        nint layout = pipeline.SetLayout;
        var allocate = new VkDescriptorSetAllocateInfo { SType = VkStructureType.DescriptorSetAllocateInfo, DescriptorPool = pool, DescriptorSetCount = 1, PSetLayouts = &layout };
        nint allocated;
        VkLoader.Check(Api.AllocateDescriptorSets(Device, &allocate, &allocated), "vkAllocateDescriptorSets");
        nint set = allocated;
        var infos = new VkDescriptorBufferInfo[buffers.Length];
        var writes = new VkWriteDescriptorSet[buffers.Length];
        fixed (VkDescriptorBufferInfo* pInfos = infos)
        fixed (VkWriteDescriptorSet* pWrites = writes)
        {
            for (int i = 0; i < buffers.Length; i++)
            {
                pInfos[i] = new VkDescriptorBufferInfo { Buffer = buffers[i].Handle, Offset = 0, Range = (ulong)Math.Min(buffers[i].Size, MaxStorageBufferRange) };
                pWrites[i] = new VkWriteDescriptorSet
                {
                    SType = VkStructureType.WriteDescriptorSet,
                    DstSet = set,
                    DstBinding = (uint)i,
                    DescriptorCount = 1,
                    DescriptorType = VkConstants.DescriptorTypeStorageBuffer,
                    PBufferInfo = &pInfos[i],
                };
            }
            Api.UpdateDescriptorSets(Device, (uint)buffers.Length, pWrites, 0, null);
        }
        var constants = new uint[VulkanPipeline.PushConstantBytes / 4];
        push.CopyTo(constants, 0);
        RunOnce(cmd =>
        {
            nint s = set;
            Api.CmdBindPipeline(cmd, VkConstants.PipelineBindPointCompute, pipeline.Handle);
            Api.CmdBindDescriptorSets(cmd, VkConstants.PipelineBindPointCompute, pipeline.Layout, 0, 1, &s, 0, null);
            fixed (uint* p = constants) Api.CmdPushConstants(cmd, pipeline.Layout, VkConstants.ShaderStageCompute, 0, VulkanPipeline.PushConstantBytes, p);
            Api.CmdDispatch(cmd, x, y, z);
            Barrier(cmd, VkPipelineStageFlags.ComputeShader, VkAccessFlags.ShaderWrite, VkPipelineStageFlags.Host | VkPipelineStageFlags.Transfer,
                VkAccessFlags.HostRead | VkAccessFlags.TransferRead);
        });
    }
}
