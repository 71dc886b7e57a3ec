using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Hearth.Backends.Cpu.Reference;
using Hearth.Backends.Cpu.Simd;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Benchmarks;

/// <summary>
/// The hot kernels besides the matrix products, at TinyLlama shapes (32 heads, 4 KV heads, head dim 64), through the
/// backend contract on cpu-ref and on cpu with 1 and 2 threads. Read the median-based GB/s column (bytes each op must
/// move) and GFLOP/s column (its arithmetic): attention is the rate that matters at long contexts, rms_norm and rope are
/// memory-bound streams.
/// dotnet run -c Release --project benchmarks/Hearth.Benchmarks -- --filter '*OpBenchmarks*' --inProcess --warmupCount 2 --iterationCount 5
/// </summary>
[Config(typeof(OpRateConfig))]
public abstract class OpBenchmarks
{
    public const int Heads = 32, KvHeads = 4, HeadDim = 64;

    private IComputeDevice? _device;
    private IExecutable? _exe;
    private readonly List<GCHandle> _handles = [];

    [Params("cpu-ref", "cpu:1", "cpu:2")]
    public string Backend { get; set; } = "cpu:1";

    /// <summary>Rows (tokens) in the step: 1 = decode, 64 = a prefill chunk.</summary>
    [Params(1, 64)]
    public int Tokens { get; set; } = 1;

    /// <summary>(bytes moved, floating-point operations) of one run.</summary>
    public abstract (double Bytes, double Flops) Work();

    protected abstract (Node Output, (Node Input, int[] Values)[] Inputs) Build(IComputeDevice device, ComputeGraph graph);

    [GlobalSetup]
    public void Setup()
    {
        _device = Backend == "cpu-ref" ? new CpuReferenceDevice() : new CpuDevice(int.Parse(Backend[4..], CultureInfo.InvariantCulture));
        var graph = new ComputeGraph();
        var (output, inputs) = Build(_device, graph);
        graph.MarkOutput(output);
        _exe = _device.Compile(graph);
        foreach (var (input, values) in inputs) _exe.SetInput(input, values);
    }

    [Benchmark]
    public void Run() => _exe!.Run();

    [GlobalCleanup]
    public void Cleanup()
    {
        _exe?.Dispose();
        _device?.Dispose();
        foreach (var h in _handles) h.Free();
        _handles.Clear();
    }

    protected Node Floats(ComputeGraph graph, string name, int seed, params int[] shape)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        _handles.Add(handle);
        return graph.Weight(new HostTensor(name, TensorType.F32, new Shape(shape), handle.AddrOfPinnedObject(), values.Length * 4L, values));
    }
}

/// <summary>Causal GQA attention of <see cref="OpBenchmarks.Tokens"/> query rows ending at position Context - 1, over an F32 cache.</summary>
public class AttentionBenchmarks : OpBenchmarks
{
    [Params(512, 4096)]
    public int Context { get; set; } = 512;

    // Every query row reads its positions' keys and values (once per KV head group), and does q.k and p.v.
    public override (double Bytes, double Flops) Work()
    {
        double positions = 0;
        for (int t = 0; t < Tokens; t++) positions += Context - Tokens + 1 + t;
        double cacheRow = KvHeads * HeadDim * 4.0;
        return (2 * cacheRow * Context, 4.0 * Heads * HeadDim * positions);
    }

    protected override (Node, (Node, int[])[]) Build(IComputeDevice device, ComputeGraph graph)
    {
        var shape = new Shape(Context, KvHeads * HeadDim);
        var k = graph.State("k", device.AllocateState("k", TensorType.F32, shape));
        var v = graph.State("v", device.AllocateState("v", TensorType.F32, shape));
        var q = Floats(graph, "q", 1, Tokens, Heads * HeadDim);
        var positions = graph.Input("positions", Tokens);
        var y = graph.Attention("y", q, positions, k, v, new AttentionParams(0, Heads, KvHeads, HeadDim, 0.125f, 0));
        return (y, [(positions, [.. Enumerable.Range(Context - Tokens, Tokens)])]);
    }
}

/// <summary>RMSNorm of <see cref="OpBenchmarks.Tokens"/> rows of the model width or the FFN width.</summary>
public class RmsNormBenchmarks : OpBenchmarks
{
    [Params(2048, 5632)]
    public int Width { get; set; } = 2048;

    public override (double Bytes, double Flops) Work() => (2.0 * Tokens * Width * 4 + Width * 4, 4.0 * Tokens * Width);

    protected override (Node, (Node, int[])[]) Build(IComputeDevice device, ComputeGraph graph) =>
        (graph.RmsNorm("y", Floats(graph, "x", 2, Tokens, Width), Floats(graph, "w", 3, Width), 1e-5f), []);
}

/// <summary>RoPE of <see cref="OpBenchmarks.Tokens"/> rows of 32 heads x 64 (the query projection), both pairings.</summary>
public class RopeBenchmarks : OpBenchmarks
{
    [Params(RopeMode.Interleaved, RopeMode.NeoX)]
    public RopeMode Mode { get; set; }

    // Per pair: a sine and a cosine (counted as one operation each), four multiplies and two adds.
    public override (double Bytes, double Flops) Work() => (2.0 * Tokens * Heads * HeadDim * 4, 8.0 * Tokens * Heads * HeadDim / 2);

    protected override (Node, (Node, int[])[]) Build(IComputeDevice device, ComputeGraph graph)
    {
        var invFreq = new float[HeadDim / 2];
        for (int i = 0; i < invFreq.Length; i++) invFreq[i] = (float)Math.Pow(10000, -2.0 * i / HeadDim);
        var positions = graph.Input("positions", Tokens);
        var y = graph.Rope("y", Floats(graph, "x", 4, Tokens, Heads * HeadDim), positions, graph.Constant("inv_freq", invFreq), new RopeParams(Heads, HeadDim, Mode));
        return (y, [(positions, [.. Enumerable.Range(100, Tokens)])]);
    }
}

/// <summary>Adds the GB/s and GFLOP/s columns (from the median time and <see cref="OpBenchmarks.Work"/>).</summary>
internal sealed class OpRateConfig : ManualConfig
{
    public OpRateConfig()
    {
        AddColumn(new OpRateColumn(gigaflops: false));
        AddColumn(new OpRateColumn(gigaflops: true));
    }
}

internal sealed class OpRateColumn(bool gigaflops) : MedianRateColumn(nameof(OpRateColumn) + (gigaflops ? "Flops" : "Bytes"),
    gigaflops ? "GFLOP/s (median)" : "GB/s (median)",
    gigaflops ? "the op's arithmetic / median time, in 1e9 per second" : "bytes the op must move / median time, in 1e9 per second",
    gigaflops ? 1 : 0, 1e9)
{
    protected override double Amount(BenchmarkCase benchmarkCase)
    {
        // A fresh instance with the case's parameters says how much work one run is.
        var instance = (OpBenchmarks)Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
        foreach (var parameter in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(instance, parameter.Value);
        var (bytes, flops) = instance.Work();
        return gigaflops ? flops : bytes;
    }
}
