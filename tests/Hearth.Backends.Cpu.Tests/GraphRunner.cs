using Hearth.Backends.Cpu.Reference;
using Hearth.Compute;

namespace Hearth.Backends.Cpu.Tests;

public static class GraphRunner
{
    /// <summary>Compiles the graph on a fresh cpu-ref device, sets the inputs, runs once and reads <paramref name="output"/>.</summary>
    public static float[] RunOnce(ComputeGraph graph, Node output, params (Node Input, int[] Values)[] inputs)
    {
        using var device = new CpuReferenceDevice();
        using var executable = device.Compile(graph);
        foreach (var (input, values) in inputs) executable.SetInput(input, values);
        executable.Run();
        return Read(executable, output);
    }

    public static float[] Read(IExecutable executable, Node node)
    {
        var result = new float[node.Shape.ElementCount];
        executable.Read(node, result);
        return result;
    }
}
