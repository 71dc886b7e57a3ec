using System.Runtime.InteropServices;
using Hearth.Backends.Cpu;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

internal static class TestTensors
{
    public static HostTensor F32(string name, float[] values, params int[] shape) => Bytes(name, TensorType.F32, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), new Shape(shape));

    public static HostTensor Q8_0(string name, Random random, int rows, int width)
    {
        int blocks = rows * width / 32;
        var bytes = new byte[blocks * 34];
        random.NextBytes(bytes);
        for (int b = 0; b < blocks; b++) BitConverter.TryWriteBytes(bytes.AsSpan(b * 34), (Half)(0.001 + random.NextDouble() * 0.01));
        return Bytes(name, TensorType.Q8_0, bytes, new Shape(rows, width));
    }

    public static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    public static HostTensor Bytes(string name, TensorType type, byte[] bytes, Shape shape)
    {
        var pinned = GC.AllocateArray<byte>(bytes.Length, pinned: true);
        bytes.CopyTo(pinned, 0);
        return new HostTensor(name, type, shape, Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), bytes.Length, pinned);
    }

    /// <summary>Builds the graph on a device, runs it, returns the output.</summary>
    public static float[] Run(IComputeDevice device, Func<ComputeGraph, (Node Output, (Node, int[])[] Inputs)> build)
    {
        var graph = new ComputeGraph();
        var (output, inputs) = build(graph);
        graph.MarkOutput(output);
        using var exe = device.Compile(graph);
        foreach (var (input, values) in inputs) exe.SetInput(input, values);
        exe.Run();
        var result = new float[output.Shape.ElementCount];
        exe.Read(output, result);
        return result;
    }

    public static float[] Reference(Func<ComputeGraph, (Node Output, (Node, int[])[] Inputs)> build)
    {
        CpuBackends.Register();
        using var device = BackendRegistry.Create(CpuBackends.ReferenceName);
        return Run(device, build);
    }
}
