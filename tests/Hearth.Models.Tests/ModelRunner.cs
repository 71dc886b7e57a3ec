using Hearth.Backends.Cpu;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Models.Tests;

/// <summary>Drives a model's step graphs on the cpu-ref device: one prefill, then one-token decode steps.</summary>
internal sealed class ModelRunner : IDisposable
{
    private readonly Model _model;
    private readonly IComputeDevice _device;
    private readonly KvCacheBuffers _cache;
    private ComputeGraph? _decodeGraph;
    private IExecutable? _decode;

    public ModelRunner(Model model)
    {
        _model = model;
        CpuBackends.Register();
        _device = BackendRegistry.Create("cpu-ref");
        var c = model.Config;
        var shape = new Shape(c.ContextLength, c.KvHeadCount * c.HeadDim);
        _cache = new KvCacheBuffers(
            [.. Enumerable.Range(0, c.LayerCount).Select(i => _device.AllocateState($"blk.{i}.k_cache", TensorType.F32, shape))],
            [.. Enumerable.Range(0, c.LayerCount).Select(i => _device.AllocateState($"blk.{i}.v_cache", TensorType.F32, shape))]);
    }

    /// <summary>Logits [T * vocab] for tokens at positions start.. (all rows, or the last only).</summary>
    public float[] Prefill(int[] tokens, int startPosition, bool allLogits)
    {
        var graph = _model.BuildStepGraph(tokens.Length, _cache, allLogits);
        using var exe = _device.Compile(graph);
        return Run(graph, exe, tokens, startPosition);
    }

    /// <summary>Logits [vocab] of one decode step (the decode graph is compiled once and reused).</summary>
    public float[] Decode(int token, int position)
    {
        _decodeGraph ??= _model.BuildStepGraph(1, _cache, allLogits: false);
        _decode ??= _device.Compile(_decodeGraph);
        return Run(_decodeGraph, _decode, [token], position);
    }

    private static float[] Run(ComputeGraph graph, IExecutable exe, int[] tokens, int startPosition)
    {
        exe.SetInput(graph.Find("tokens")!, tokens);
        exe.SetInput(graph.Find("positions")!, [.. Enumerable.Range(startPosition, tokens.Length)]);
        exe.Run();
        var logits = graph.Outputs.Single(o => o.Name == "logits");
        var result = new float[logits.Shape.ElementCount];
        exe.Read(logits, result);
        return result;
    }

    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    public void Dispose()
    {
        _decode?.Dispose();
        foreach (var b in _cache.Keys.Concat(_cache.Values)) b.Dispose();
        _device.Dispose();
    }
}
