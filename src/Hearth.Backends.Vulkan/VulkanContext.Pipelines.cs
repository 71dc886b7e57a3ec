namespace Hearth.Backends.Vulkan;

internal sealed partial class VulkanContext
{
    private readonly Dictionary<string, VulkanPipeline> _pipelines = new(StringComparer.Ordinal);

    /// <summary>The pipeline of a shader variant with the given specialization constants, built once per process.</summary>
    public VulkanPipeline Pipeline(string shader, int bindings, params uint[] specialization)
    {
        string key = shader + ":" + string.Join(',', specialization);
        lock (_pipelines)
        {
            if (!_pipelines.TryGetValue(key, out var pipeline))
            {
                pipeline = new VulkanPipeline(this, shader, bindings, specialization);
                _pipelines[key] = pipeline;
            }
            return pipeline;
        }
    }
}
