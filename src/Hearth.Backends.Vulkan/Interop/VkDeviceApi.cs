using System.Text;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Interop;

/// <summary>Device-level entry points, fetched with vkGetDeviceProcAddr (skips the loader's dispatch trampoline).</summary>
internal sealed unsafe class VkDeviceApi
{
    public delegate* unmanaged<nint, nint, void> DestroyDevice;
    public delegate* unmanaged<nint, uint, uint, nint*, void> GetDeviceQueue;
    public delegate* unmanaged<nint, VkResult> DeviceWaitIdle;
    public delegate* unmanaged<nint, VkBufferCreateInfo*, nint, nint*, VkResult> CreateBuffer;
    public delegate* unmanaged<nint, nint, nint, void> DestroyBuffer;
    public delegate* unmanaged<nint, nint, VkMemoryRequirements*, void> GetBufferMemoryRequirements;
    public delegate* unmanaged<nint, VkMemoryAllocateInfo*, nint, nint*, VkResult> AllocateMemory;
    public delegate* unmanaged<nint, nint, nint, void> FreeMemory;
    public delegate* unmanaged<nint, nint, nint, ulong, VkResult> BindBufferMemory;
    public delegate* unmanaged<nint, nint, ulong, ulong, uint, void**, VkResult> MapMemory;
    public delegate* unmanaged<nint, VkShaderModuleCreateInfo*, nint, nint*, VkResult> CreateShaderModule;
    public delegate* unmanaged<nint, nint, nint, void> DestroyShaderModule;
    public delegate* unmanaged<nint, VkDescriptorSetLayoutCreateInfo*, nint, nint*, VkResult> CreateDescriptorSetLayout;
    public delegate* unmanaged<nint, nint, nint, void> DestroyDescriptorSetLayout;
    public delegate* unmanaged<nint, VkPipelineLayoutCreateInfo*, nint, nint*, VkResult> CreatePipelineLayout;
    public delegate* unmanaged<nint, nint, nint, void> DestroyPipelineLayout;
    public delegate* unmanaged<nint, nint, uint, VkComputePipelineCreateInfo*, nint, nint*, VkResult> CreateComputePipelines;
    public delegate* unmanaged<nint, nint, nint, void> DestroyPipeline;
    public delegate* unmanaged<nint, VkDescriptorPoolCreateInfo*, nint, nint*, VkResult> CreateDescriptorPool;
    public delegate* unmanaged<nint, nint, nint, void> DestroyDescriptorPool;
    public delegate* unmanaged<nint, VkDescriptorSetAllocateInfo*, nint*, VkResult> AllocateDescriptorSets;
    public delegate* unmanaged<nint, uint, VkWriteDescriptorSet*, uint, void*, void> UpdateDescriptorSets;
    public delegate* unmanaged<nint, VkCommandPoolCreateInfo*, nint, nint*, VkResult> CreateCommandPool;
    public delegate* unmanaged<nint, nint, nint, void> DestroyCommandPool;
    public delegate* unmanaged<nint, VkCommandBufferAllocateInfo*, nint*, VkResult> AllocateCommandBuffers;
    public delegate* unmanaged<nint, VkCommandBufferBeginInfo*, VkResult> BeginCommandBuffer;
    public delegate* unmanaged<nint, VkResult> EndCommandBuffer;
    public delegate* unmanaged<nint, uint, VkResult> ResetCommandBuffer;
    public delegate* unmanaged<nint, uint, nint, void> CmdBindPipeline;
    public delegate* unmanaged<nint, uint, nint, uint, uint, nint*, uint, uint*, void> CmdBindDescriptorSets;
    public delegate* unmanaged<nint, nint, uint, uint, uint, void*, void> CmdPushConstants;
    public delegate* unmanaged<nint, uint, uint, uint, void> CmdDispatch;
    public delegate* unmanaged<nint, uint, uint, uint, uint, VkMemoryBarrier*, uint, void*, uint, void*, void> CmdPipelineBarrier;
    public delegate* unmanaged<nint, nint, nint, uint, VkBufferCopy*, void> CmdCopyBuffer;
    public delegate* unmanaged<nint, nint, ulong, ulong, uint, void> CmdFillBuffer;
    public delegate* unmanaged<nint, nint, uint, uint, void> CmdResetQueryPool;
    public delegate* unmanaged<nint, uint, nint, uint, void> CmdWriteTimestamp;
    public delegate* unmanaged<nint, VkQueryPoolCreateInfo*, nint, nint*, VkResult> CreateQueryPool;
    public delegate* unmanaged<nint, nint, nint, void> DestroyQueryPool;
    public delegate* unmanaged<nint, nint, uint, uint, nuint, void*, ulong, uint, VkResult> GetQueryPoolResults;
    public delegate* unmanaged<nint, uint, VkSubmitInfo*, nint, VkResult> QueueSubmit;
    public delegate* unmanaged<nint, VkFenceCreateInfo*, nint, nint*, VkResult> CreateFence;
    public delegate* unmanaged<nint, nint, nint, void> DestroyFence;
    public delegate* unmanaged<nint, uint, nint*, uint, ulong, VkResult> WaitForFences;
    public delegate* unmanaged<nint, uint, nint*, VkResult> ResetFences;

    public VkDeviceApi(VkInstanceApi instance, nint device)
    {
        var get = instance.GetDeviceProcAddr;
        nint L(string name)
        {
            var bytes = Encoding.ASCII.GetBytes(name + "\0");
            nint fn;
            fixed (byte* p = bytes) fn = get(device, p);
            return fn != 0 ? fn : throw new HearthException($"the Vulkan driver has no {name}");
        }
        DestroyDevice = (delegate* unmanaged<nint, nint, void>)L("vkDestroyDevice");
        GetDeviceQueue = (delegate* unmanaged<nint, uint, uint, nint*, void>)L("vkGetDeviceQueue");
        DeviceWaitIdle = (delegate* unmanaged<nint, VkResult>)L("vkDeviceWaitIdle");
        CreateBuffer = (delegate* unmanaged<nint, VkBufferCreateInfo*, nint, nint*, VkResult>)L("vkCreateBuffer");
        DestroyBuffer = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyBuffer");
        GetBufferMemoryRequirements = (delegate* unmanaged<nint, nint, VkMemoryRequirements*, void>)L("vkGetBufferMemoryRequirements");
        AllocateMemory = (delegate* unmanaged<nint, VkMemoryAllocateInfo*, nint, nint*, VkResult>)L("vkAllocateMemory");
        FreeMemory = (delegate* unmanaged<nint, nint, nint, void>)L("vkFreeMemory");
        BindBufferMemory = (delegate* unmanaged<nint, nint, nint, ulong, VkResult>)L("vkBindBufferMemory");
        MapMemory = (delegate* unmanaged<nint, nint, ulong, ulong, uint, void**, VkResult>)L("vkMapMemory");
        CreateShaderModule = (delegate* unmanaged<nint, VkShaderModuleCreateInfo*, nint, nint*, VkResult>)L("vkCreateShaderModule");
        DestroyShaderModule = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyShaderModule");
        CreateDescriptorSetLayout = (delegate* unmanaged<nint, VkDescriptorSetLayoutCreateInfo*, nint, nint*, VkResult>)L("vkCreateDescriptorSetLayout");
        DestroyDescriptorSetLayout = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyDescriptorSetLayout");
        CreatePipelineLayout = (delegate* unmanaged<nint, VkPipelineLayoutCreateInfo*, nint, nint*, VkResult>)L("vkCreatePipelineLayout");
        DestroyPipelineLayout = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyPipelineLayout");
        CreateComputePipelines = (delegate* unmanaged<nint, nint, uint, VkComputePipelineCreateInfo*, nint, nint*, VkResult>)L("vkCreateComputePipelines");
        DestroyPipeline = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyPipeline");
        CreateDescriptorPool = (delegate* unmanaged<nint, VkDescriptorPoolCreateInfo*, nint, nint*, VkResult>)L("vkCreateDescriptorPool");
        DestroyDescriptorPool = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyDescriptorPool");
        AllocateDescriptorSets = (delegate* unmanaged<nint, VkDescriptorSetAllocateInfo*, nint*, VkResult>)L("vkAllocateDescriptorSets");
        UpdateDescriptorSets = (delegate* unmanaged<nint, uint, VkWriteDescriptorSet*, uint, void*, void>)L("vkUpdateDescriptorSets");
        CreateCommandPool = (delegate* unmanaged<nint, VkCommandPoolCreateInfo*, nint, nint*, VkResult>)L("vkCreateCommandPool");
        DestroyCommandPool = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyCommandPool");
        AllocateCommandBuffers = (delegate* unmanaged<nint, VkCommandBufferAllocateInfo*, nint*, VkResult>)L("vkAllocateCommandBuffers");
        BeginCommandBuffer = (delegate* unmanaged<nint, VkCommandBufferBeginInfo*, VkResult>)L("vkBeginCommandBuffer");
        EndCommandBuffer = (delegate* unmanaged<nint, VkResult>)L("vkEndCommandBuffer");
        ResetCommandBuffer = (delegate* unmanaged<nint, uint, VkResult>)L("vkResetCommandBuffer");
        CmdBindPipeline = (delegate* unmanaged<nint, uint, nint, void>)L("vkCmdBindPipeline");
        CmdBindDescriptorSets = (delegate* unmanaged<nint, uint, nint, uint, uint, nint*, uint, uint*, void>)L("vkCmdBindDescriptorSets");
        CmdPushConstants = (delegate* unmanaged<nint, nint, uint, uint, uint, void*, void>)L("vkCmdPushConstants");
        CmdDispatch = (delegate* unmanaged<nint, uint, uint, uint, void>)L("vkCmdDispatch");
        CmdPipelineBarrier = (delegate* unmanaged<nint, uint, uint, uint, uint, VkMemoryBarrier*, uint, void*, uint, void*, void>)L("vkCmdPipelineBarrier");
        CmdCopyBuffer = (delegate* unmanaged<nint, nint, nint, uint, VkBufferCopy*, void>)L("vkCmdCopyBuffer");
        CmdFillBuffer = (delegate* unmanaged<nint, nint, ulong, ulong, uint, void>)L("vkCmdFillBuffer");
        CmdResetQueryPool = (delegate* unmanaged<nint, nint, uint, uint, void>)L("vkCmdResetQueryPool");
        CmdWriteTimestamp = (delegate* unmanaged<nint, uint, nint, uint, void>)L("vkCmdWriteTimestamp");
        CreateQueryPool = (delegate* unmanaged<nint, VkQueryPoolCreateInfo*, nint, nint*, VkResult>)L("vkCreateQueryPool");
        DestroyQueryPool = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyQueryPool");
        GetQueryPoolResults = (delegate* unmanaged<nint, nint, uint, uint, nuint, void*, ulong, uint, VkResult>)L("vkGetQueryPoolResults");
        QueueSubmit = (delegate* unmanaged<nint, uint, VkSubmitInfo*, nint, VkResult>)L("vkQueueSubmit");
        CreateFence = (delegate* unmanaged<nint, VkFenceCreateInfo*, nint, nint*, VkResult>)L("vkCreateFence");
        DestroyFence = (delegate* unmanaged<nint, nint, nint, void>)L("vkDestroyFence");
        WaitForFences = (delegate* unmanaged<nint, uint, nint*, uint, ulong, VkResult>)L("vkWaitForFences");
        ResetFences = (delegate* unmanaged<nint, uint, nint*, VkResult>)L("vkResetFences");
    }
}
