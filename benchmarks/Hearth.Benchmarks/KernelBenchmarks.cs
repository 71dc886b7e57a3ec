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
/// Matrix products per weight type at TinyLlama shapes, on cpu-ref and on cpu with 1 and 2 threads: Tokens = 1 is the
/// decode matrix-vector product (read the GB/s column: weight bytes / median time), Tokens = 64 a prefill-style
/// matrix-matrix product (read GFLOP/s: 2 * out * in * tokens / median time).
/// dotnet run -c Release --project benchmarks/Hearth.Benchmarks -- --filter '*KernelBenchmarks*' --inProcess --warmupCount 2 --iterationCount 5
/// Narrow it with e.g. --filter '*KernelBenchmarks*' and BenchmarkDotNet's --anyCategories / param filters; cpu-ref
/// with 64 tokens is slow. Read the median-based columns; the machine is shared and noisy.
/// </summary>
[Config(typeof(RateConfig))]
public class KernelBenchmarks
{
    private IComputeDevice? _device;
    private IExecutable? _exe;
    private GCHandle _weightHandle, _xHandle;

    [Params(TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0,
        TensorType.Q5_1, TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K)]
    public TensorType Type { get; set; }

    /// <summary>out x in.</summary>
    [Params("2048x2048", "5632x2048", "2048x5632")]
    public string Shape { get; set; } = "2048x2048";

    /// <summary>"cpu-ref", or "cpu:N" for the fast backend with N threads.</summary>
    [Params("cpu-ref", "cpu:1", "cpu:2")]
    public string Backend { get; set; } = "cpu:1";

    /// <summary>Activation rows: 1 = decode (matrix-vector), 64 = prefill-style (matrix-matrix).</summary>
    [Params(1, 64)]
    public int Tokens { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('x');
        int outFeatures = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int inFeatures = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var info = TensorTypes.Info(Type);
        var bytes = new byte[TensorTypes.RowBytes(Type, inFeatures) * outFeatures];
        var random = new Random(1);
        FillWeights(Type, info, bytes, random);
        _weightHandle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        var weight = new HostTensor("w", Type, new Shape(outFeatures, inFeatures), _weightHandle.AddrOfPinnedObject(), bytes.Length, bytes);
        var x = new float[Tokens * inFeatures];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        _xHandle = GCHandle.Alloc(x, GCHandleType.Pinned);
        var xTensor = new HostTensor("x", TensorType.F32, new Shape(Tokens, inFeatures), _xHandle.AddrOfPinnedObject(), x.Length * 4L, x);

        _device = Backend == "cpu-ref" ? new CpuReferenceDevice() : new CpuDevice(int.Parse(Backend[4..], System.Globalization.CultureInfo.InvariantCulture));
        var graph = new ComputeGraph();
        var y = graph.MatMul("y", graph.Weight(xTensor), graph.Weight(weight));
        graph.MarkOutput(y);
        _exe = _device.Compile(graph);
    }

    [Benchmark]
    public void MatVec() => _exe!.Run();

    [GlobalCleanup]
    public void Cleanup()
    {
        _exe?.Dispose();
        _device?.Dispose();
        _weightHandle.Free();
        _xHandle.Free();
    }

    // Random quants with small finite f16 scales, as the conformance tests do.
    private static void FillWeights(TensorType type, TensorTypeInfo info, byte[] bytes, Random random)
    {
        random.NextBytes(bytes);
        int[] halves = type switch
        {
            TensorType.F32 => [],
            TensorType.F16 or TensorType.BF16 => [],
            TensorType.Q4_0 or TensorType.Q5_0 or TensorType.Q8_0 => [0],
            TensorType.Q4_1 or TensorType.Q5_1 or TensorType.Q4_K or TensorType.Q5_K => [0, 2],
            TensorType.Q6_K => [208],
            TensorType.Q2_K => [80, 82],
            TensorType.Q3_K => [108],
            _ => [],
        };
        if (type == TensorType.F32)
        {
            var floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (int i = 0; i < floats.Length; i++) floats[i] = (float)(random.NextDouble() - 0.5);
        }
        else if (type is TensorType.F16 or TensorType.BF16)
        {
            var words = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());
            for (int i = 0; i < words.Length; i++)
                words[i] = type == TensorType.F16 ? BitConverter.HalfToUInt16Bits((Half)(random.NextDouble() - 0.5))
                    : (ushort)(BitConverter.SingleToUInt32Bits((float)(random.NextDouble() - 0.5)) >> 16);
        }
        for (int b = 0; b < bytes.Length / info.BlockBytes && halves.Length > 0; b++)
            foreach (int offset in halves)
                BitConverter.TryWriteBytes(bytes.AsSpan(b * info.BlockBytes + offset), (Half)(0.001 + random.NextDouble() * 0.01));
    }
}

/// <summary>Adds the GB/s and GFLOP/s columns (from the median time) to <see cref="KernelBenchmarks"/>.</summary>
internal sealed class RateConfig : ManualConfig
{
    public RateConfig()
    {
        AddColumn(new MatMulRateColumn(gigaflops: false));
        AddColumn(new MatMulRateColumn(gigaflops: true));
    }
}

/// <summary>Weight GB/s (weight bytes / median) or GFLOP/s (2 * out * in * tokens / median) of a KernelBenchmarks case.</summary>
internal sealed class MatMulRateColumn(bool gigaflops) : MedianRateColumn(nameof(MatMulRateColumn) + (gigaflops ? "Flops" : "Bytes"),
    gigaflops ? "GFLOP/s (median)" : "weight GB/s (median)",
    gigaflops ? "2 * out * in * tokens / median time, in 1e9 per second" : "weight bytes read once / median time, in 1e9 bytes per second",
    gigaflops ? 1 : 0, 1e9)
{
    protected override double Amount(BenchmarkCase benchmarkCase)
    {
        var type = (TensorType)benchmarkCase.Parameters["Type"];
        var shape = ((string)benchmarkCase.Parameters["Shape"]).Split('x');
        long outFeatures = long.Parse(shape[0], System.Globalization.CultureInfo.InvariantCulture);
        long inFeatures = long.Parse(shape[1], System.Globalization.CultureInfo.InvariantCulture);
        int tokens = (int)benchmarkCase.Parameters["Tokens"];
        return gigaflops ? 2.0 * outFeatures * inFeatures * tokens : (double)TensorTypes.RowBytes(type, (int)inFeatures) * outFeatures;
    }
}
