using System.Reflection;
using Hearth.Backends.Vulkan.Interop;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

/// <summary>
/// A compute pipeline: one embedded SPIR-V shader, <see cref="Bindings"/> storage buffers in set 0 (bindings
/// 0..n-1), 128 bytes of push constants, and specialization constants (constant 0 is the workgroup size).
/// </summary>
internal sealed unsafe class VulkanPipeline : IDisposable
{
    public const int PushConstantBytes = 128;

    private readonly VkObjectHandle _setLayout;
    private readonly VkObjectHandle _layout;
    private readonly VkObjectHandle _pipeline;

    public VulkanPipeline(VulkanContext context, string shader, int bindings, uint[] specialization)
    {
        Name = shader;
        Bindings = bindings;
        WorkGroupSize = specialization.Length > 0 ? specialization[0] : 1;
        var code = LoadSpirv(shader);
        var api = context.Api;
        nint device = context.Device;

        var layoutBindings = stackalloc VkDescriptorSetLayoutBinding[bindings];
        for (int i = 0; i < bindings; i++)
        {
            layoutBindings[i] = new VkDescriptorSetLayoutBinding
            {
                Binding = (uint)i,
                DescriptorType = VkConstants.DescriptorTypeStorageBuffer,
                DescriptorCount = 1,
                StageFlags = VkConstants.ShaderStageCompute,
            };
        }
        var setInfo = new VkDescriptorSetLayoutCreateInfo { SType = VkStructureType.DescriptorSetLayoutCreateInfo, BindingCount = (uint)bindings, PBindings = layoutBindings };
        nint setLayout;
        VkLoader.Check(api.CreateDescriptorSetLayout(device, &setInfo, 0, &setLayout), $"vkCreateDescriptorSetLayout ({shader})");
        _setLayout = new VkObjectHandle(context.Handle, setLayout, api.DestroyDescriptorSetLayout);

        var range = new VkPushConstantRange { StageFlags = VkConstants.ShaderStageCompute, Offset = 0, Size = PushConstantBytes };
        var layoutInfo = new VkPipelineLayoutCreateInfo
        {
            SType = VkStructureType.PipelineLayoutCreateInfo,
            SetLayoutCount = 1,
            PSetLayouts = &setLayout,
            PushConstantRangeCount = 1,
            PPushConstantRanges = &range,
        };
        nint layout;
        VkLoader.Check(api.CreatePipelineLayout(device, &layoutInfo, 0, &layout), $"vkCreatePipelineLayout ({shader})");
        _layout = new VkObjectHandle(context.Handle, layout, api.DestroyPipelineLayout);

        nint module;
        fixed (byte* p = code)
        {
            var moduleInfo = new VkShaderModuleCreateInfo { SType = VkStructureType.ShaderModuleCreateInfo, CodeSize = (nuint)code.Length, PCode = (uint*)p };
            VkLoader.Check(api.CreateShaderModule(device, &moduleInfo, 0, &module), $"vkCreateShaderModule ({shader})");
        }
        using var moduleHandle = new VkObjectHandle(context.Handle, module, api.DestroyShaderModule);

        var entries = stackalloc VkSpecializationMapEntry[Math.Max(1, specialization.Length)];
        for (int i = 0; i < specialization.Length; i++) entries[i] = new VkSpecializationMapEntry { ConstantId = (uint)i, Offset = (uint)(4 * i), Size = 4 };
        byte* main = stackalloc byte[] { (byte)'m', (byte)'a', (byte)'i', (byte)'n', 0 };
        nint pipeline;
        fixed (uint* data = specialization)
        {
            var spec = new VkSpecializationInfo { MapEntryCount = (uint)specialization.Length, PMapEntries = entries, DataSize = (nuint)(4 * specialization.Length), PData = data };
            var info = new VkComputePipelineCreateInfo
            {
                SType = VkStructureType.ComputePipelineCreateInfo,
                Stage = new VkPipelineShaderStageCreateInfo
                {
                    SType = VkStructureType.PipelineShaderStageCreateInfo,
                    Stage = VkConstants.ShaderStageCompute,
                    Module = module,
                    PName = main,
                    PSpecializationInfo = specialization.Length > 0 ? &spec : null,
                },
                Layout = layout,
                BasePipelineIndex = -1,
            };
            VkLoader.Check(api.CreateComputePipelines(device, 0, 1, &info, 0, &pipeline), $"vkCreateComputePipelines ({shader})");
        }
        _pipeline = new VkObjectHandle(context.Handle, pipeline, api.DestroyPipeline);
    }

    public string Name { get; }
    public int Bindings { get; }
    public uint WorkGroupSize { get; }
    public nint SetLayout => _setLayout.Value;
    public nint Layout => _layout.Value;
    public nint Handle => _pipeline.Value;

    /// <summary>The committed SPIR-V of a shader variant (embedded resource "Hearth.Vulkan.NAME.spv").</summary>
    public static byte[] LoadSpirv(string shader)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Hearth.Vulkan.{shader}.spv")
            ?? throw new HearthException($"Vulkan shader '{shader}' is not embedded in Hearth.Backends.Vulkan (run tools/vulkan/compile-shaders.sh)");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _layout.Dispose();
        _setLayout.Dispose();
    }
}
