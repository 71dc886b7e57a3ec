using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;

namespace Hearth.Backends.Conformance;

/// <summary>A model on one backend: prefill graphs compiled per call, one decode graph compiled once and reused.</summary>
public sealed class ModelSession : IDisposable
{
    private readonly Model _model;
    private readonly IComputeDevice _device;
    private readonly KvCacheBuffers _cache;
    private ComputeGraph? _decodeGraph;
    private IExecutable? _decode;
    private readonly int[] _token = new int[1];
    private readonly int[] _position = new int[1];

    public ModelSession(Model model, string backend)
    {
        _model = model;
        _device = Backends.Create(backend);
        var c = model.Config;
        var shape = new Shape(c.ContextLength, c.KvHeadCount * c.HeadDim);
        _cache = new KvCacheBuffers(
            [.. Enumerable.Range(0, c.LayerCount).Select(i => _device.AllocateState($"blk.{i}.k_cache", TensorType.F32, shape))],
            [.. Enumerable.Range(0, c.LayerCount).Select(i => _device.AllocateState($"blk.{i}.v_cache", TensorType.F32, shape))]);
    }

    public float[] Prefill(int[] tokens, int startPosition)
    {
        var graph = _model.BuildStepGraph(tokens.Length, _cache, allLogits: true);
        using var exe = _device.Compile(graph);
        exe.SetInput(graph.Find("tokens")!, tokens);
        exe.SetInput(graph.Find("positions")!, [.. Enumerable.Range(startPosition, tokens.Length)]);
        exe.Run();
        return ReadLogits(graph, exe);
    }

    /// <summary>One decode step into <paramref name="logits"/> [vocab]; allocates nothing after the first call.</summary>
    public void Decode(int token, int position, float[] logits)
    {
        if (_decode is null)
        {
            _decodeGraph = _model.BuildStepGraph(1, _cache, allLogits: false);
            _decode = _device.Compile(_decodeGraph);
            Tokens = _decodeGraph.Find("tokens")!;
            Positions = _decodeGraph.Find("positions")!;
            Logits = _decodeGraph.Outputs.Single(o => o.Name == "logits");
        }
        _token[0] = token;
        _position[0] = position;
        _decode.SetInput(Tokens!, _token);
        _decode.SetInput(Positions!, _position);
        _decode.Run();
        _decode.Read(Logits!, logits);
    }

    private Node? Tokens { get; set; }
    private Node? Positions { get; set; }
    private Node? Logits { get; set; }

    private static float[] ReadLogits(ComputeGraph graph, IExecutable exe)
    {
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
