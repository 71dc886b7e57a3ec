using Hearth.Compute;

namespace Hearth.Backends.Conformance;

/// <summary>
/// Builds the same graph for two devices (state buffers belong to a device, so the builder runs once per device),
/// runs it and returns the output read as F32.
/// </summary>
public static class OpRunner
{
    /// <summary>A graph-building callback: given a device and a graph, adds nodes and returns (output, inputs to set).</summary>
    public delegate (Node Output, (Node Input, int[] Values)[] Inputs) Build(IComputeDevice device, ComputeGraph graph);

    public static float[] Run(string backend, Build build, int runs = 1)
    {
        using var device = Backends.Create(backend);
        var graph = new ComputeGraph();
        var (output, inputs) = build(device, graph);
        graph.MarkOutput(output);
        using var exe = device.Compile(graph);
        foreach (var (input, values) in inputs) exe.SetInput(input, values);
        for (int r = 0; r < runs; r++) exe.Run();
        var result = new float[output.Shape.ElementCount];
        exe.Read(output, result);
        return result;
    }

    /// <summary>(oracle output, backend output).</summary>
    public static (float[] Expected, float[] Actual) Both(string backend, Build build) =>
        (Run(Backends.Oracle, build), Run(backend, build));
}
