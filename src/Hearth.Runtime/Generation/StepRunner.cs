using System.Diagnostics;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Runtime.KvCache;

namespace Hearth.Runtime.Generation;

/// <summary>
/// Runs step graphs over the KV cache, compiling one executable per token count (and per output kind) and keeping
/// the decode ones (T = 1) plus a few recent prefill ones. A step either brings the last token's whole logits row back
/// to the host, or (<see cref="TopK"/> &gt; 0, "candidates") only the device-computed OpKind.TopK row of its largest
/// logits, so a GPU decode step does not copy a vocabulary-sized vector back.
/// </summary>
internal sealed class StepRunner : IDisposable
{
    private sealed record CompiledStep(IExecutable Executable, Node Tokens, Node Positions, Node Output, bool Candidates, int[] PositionScratch);

    private readonly IGenerativeModel _model;
    private readonly IComputeDevice _device;
    private readonly IKvCache _cache;
    private readonly int _maxCachedPrefill;
    private readonly Dictionary<(int Tokens, bool Candidates), CompiledStep> _steps = [];
    private readonly LinkedList<(int, bool)> _recent = new();
    private CompiledStep? _last;

    /// <param name="topK">Candidates a step may compute on the device instead of returning the whole row (0: never).</param>
    public StepRunner(IGenerativeModel model, IComputeDevice device, IKvCache cache, int maxCachedPrefill, int topK = 0)
    {
        _model = model;
        _device = device;
        _cache = cache;
        _maxCachedPrefill = Math.Max(1, maxCachedPrefill);
        TopK = Math.Min(topK, model.Config.VocabSize);
    }

    /// <summary>Largest logits a candidates step returns; 0 when steps always return the whole row (also when the device
    /// turns out not to run OpKind.TopK).</summary>
    public int TopK { get; private set; }

    /// <summary>Whether the last step returned candidates (<see cref="ReadTopK"/>) rather than the row (<see cref="ReadLogits"/>).</summary>
    public bool LastWasCandidates => _last?.Candidates ?? false;

    /// <summary>Runs <paramref name="tokens"/> at positions startPosition.. and advances the cache. With
    /// <paramref name="candidates"/> (and <see cref="TopK"/> &gt; 0) the step returns only the top-k row. Returns the run
    /// time (compile time apart).</summary>
    public TimeSpan Run(ReadOnlySpan<int> tokens, int startPosition, bool candidates, out TimeSpan compileTime)
    {
        if (startPosition != _cache.Length) throw new InvalidOperationException($"step at position {startPosition} but the cache holds {_cache.Length} tokens");
        if (startPosition + tokens.Length > _cache.Capacity)
            throw new HearthException($"a step of {tokens.Length} tokens at position {startPosition} does not fit the context of {_cache.Capacity}");

        long compileStart = Stopwatch.GetTimestamp();
        var step = Get(tokens.Length, candidates && TopK > 0);
        compileTime = Stopwatch.GetElapsedTime(compileStart);

        var positions = step.PositionScratch;
        for (int i = 0; i < positions.Length; i++) positions[i] = startPosition + i;

        long start = Stopwatch.GetTimestamp();
        step.Executable.SetInput(step.Tokens, tokens);
        step.Executable.SetInput(step.Positions, positions);
        step.Executable.Run();
        _last = step;
        var elapsed = Stopwatch.GetElapsedTime(start);
        _cache.Advance(tokens.Length);
        return elapsed;
    }

    /// <summary>The last step's logits [vocab] (it must have returned the row).</summary>
    public void ReadLogits(Span<float> logits)
    {
        var step = _last ?? throw new InvalidOperationException("no step has run");
        if (step.Candidates) throw new InvalidOperationException("the last step returned only its top-k candidates, not the logits row");
        step.Executable.Read(step.Output, logits);
    }

    /// <summary>The last step's OpKind.TopK row [2 TopK + 2] (it must have returned candidates).</summary>
    public void ReadTopK(Span<float> row)
    {
        var step = _last ?? throw new InvalidOperationException("no step has run");
        if (!step.Candidates) throw new InvalidOperationException("the last step returned the logits row, not top-k candidates");
        step.Executable.Read(step.Output, row);
    }

    private CompiledStep Get(int tokenCount, bool candidates)
    {
        var key = (tokenCount, candidates);
        if (_steps.TryGetValue(key, out var step))
        {
            Touch(key);
            return step;
        }

        var graph = _model.BuildStepGraph(tokenCount, _cache.Buffers, allLogits: false);
        var tokensNode = graph.Find("tokens") ?? throw new HearthException("step graph has no input node named 'tokens'");
        var positionsNode = graph.Find("positions") ?? throw new HearthException("step graph has no input node named 'positions'");
        var logitsNode = graph.Find("logits") ?? (graph.Outputs.Count > 0 ? graph.Outputs[^1] : null)
            ?? throw new HearthException("step graph has no output named 'logits'");
        if (logitsNode.Shape.ElementCount != _model.Config.VocabSize || logitsNode.Shape.Rank != 2)
            throw new HearthException($"step graph output '{logitsNode.Name}' has shape {logitsNode.Shape}, expected [1, {_model.Config.VocabSize}]");

        var output = logitsNode;
        if (candidates)
        {
            if (DeviceCandidates.Attach(graph, logitsNode, TopK, _device) is not { } topK)
            {
                TopK = 0;  // this device reads whole rows
                return Get(tokenCount, candidates: false);
            }
            output = topK;
        }

        var executable = _device.Compile(graph);
        step = new CompiledStep(executable, tokensNode, positionsNode, output, candidates, new int[tokenCount]);
        _steps[key] = step;
        if (tokenCount != 1)
        {
            _recent.AddFirst(key);
            while (_recent.Count > _maxCachedPrefill)
            {
                var evict = _recent.Last!.Value;
                _recent.RemoveLast();
                _steps.Remove(evict, out var old);
                if (ReferenceEquals(old, _last)) _last = null;
                old?.Executable.Dispose();
            }
        }
        return step;
    }

    private void Touch((int Tokens, bool Candidates) key)
    {
        if (key.Tokens == 1) return;
        _recent.Remove(key);
        _recent.AddFirst(key);
    }

    public void Dispose()
    {
        foreach (var step in _steps.Values) step.Executable.Dispose();
        _steps.Clear();
        _recent.Clear();
        _last = null;
    }
}
