using System.Diagnostics;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Runtime.KvCache;

namespace Hearth.Runtime.Generation;

/// <summary>
/// Runs step graphs over the KV cache, compiling one executable per token count and keeping
/// the decode one (T = 1) plus a few recent prefill ones.
/// </summary>
internal sealed class StepRunner : IDisposable
{
    private sealed record CompiledStep(IExecutable Executable, Node Tokens, Node Positions, Node Logits, int[] PositionScratch);

    private readonly IGenerativeModel _model;
    private readonly IComputeDevice _device;
    private readonly IKvCache _cache;
    private readonly int _maxCachedPrefill;
    private readonly Dictionary<int, CompiledStep> _steps = [];
    private readonly LinkedList<int> _recent = new();

    public StepRunner(IGenerativeModel model, IComputeDevice device, IKvCache cache, int maxCachedPrefill)
    {
        _model = model;
        _device = device;
        _cache = cache;
        _maxCachedPrefill = Math.Max(1, maxCachedPrefill);
    }

    /// <summary>Runs <paramref name="tokens"/> at positions startPosition.., writes the last token's logits
    /// into <paramref name="logits"/> and advances the cache. Returns the run time (compile time apart).</summary>
    public TimeSpan Run(ReadOnlySpan<int> tokens, int startPosition, Span<float> logits, out TimeSpan compileTime)
    {
        if (startPosition != _cache.Length) throw new InvalidOperationException($"step at position {startPosition} but the cache holds {_cache.Length} tokens");
        if (startPosition + tokens.Length > _cache.Capacity)
            throw new HearthException($"a step of {tokens.Length} tokens at position {startPosition} does not fit the context of {_cache.Capacity}");

        long compileStart = Stopwatch.GetTimestamp();
        var step = Get(tokens.Length);
        compileTime = Stopwatch.GetElapsedTime(compileStart);

        var positions = step.PositionScratch;
        for (int i = 0; i < positions.Length; i++) positions[i] = startPosition + i;

        long start = Stopwatch.GetTimestamp();
        step.Executable.SetInput(step.Tokens, tokens);
        step.Executable.SetInput(step.Positions, positions);
        step.Executable.Run();
        step.Executable.Read(step.Logits, logits);
        var elapsed = Stopwatch.GetElapsedTime(start);
        _cache.Advance(tokens.Length);
        return elapsed;
    }

    private CompiledStep Get(int tokenCount)
    {
        if (_steps.TryGetValue(tokenCount, out var step))
        {
            Touch(tokenCount);
            return step;
        }

        var graph = _model.BuildStepGraph(tokenCount, _cache.Buffers, allLogits: false);
        var tokensNode = graph.Find("tokens") ?? throw new HearthException("step graph has no input node named 'tokens'");
        var positionsNode = graph.Find("positions") ?? throw new HearthException("step graph has no input node named 'positions'");
        var logitsNode = graph.Find("logits") ?? (graph.Outputs.Count > 0 ? graph.Outputs[^1] : null)
            ?? throw new HearthException("step graph has no output named 'logits'");
        if (logitsNode.Shape.ElementCount != _model.Config.VocabSize)
            throw new HearthException($"step graph output '{logitsNode.Name}' has shape {logitsNode.Shape}, expected [1, {_model.Config.VocabSize}]");

        var executable = _device.Compile(graph);
        step = new CompiledStep(executable, tokensNode, positionsNode, logitsNode, new int[tokenCount]);
        _steps[tokenCount] = step;
        if (tokenCount != 1)
        {
            _recent.AddFirst(tokenCount);
            while (_recent.Count > _maxCachedPrefill)
            {
                int evict = _recent.Last!.Value;
                _recent.RemoveLast();
                _steps.Remove(evict, out var old);
                old?.Executable.Dispose();
            }
        }
        return step;
    }

    private void Touch(int tokenCount)
    {
        if (tokenCount == 1) return;
        _recent.Remove(tokenCount);
        _recent.AddFirst(tokenCount);
    }

    public void Dispose()
    {
        foreach (var step in _steps.Values) step.Executable.Dispose();
        _steps.Clear();
        _recent.Clear();
    }
}
