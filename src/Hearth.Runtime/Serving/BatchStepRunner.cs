using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;
using Hearth.Runtime.Generation;
using Hearth.Runtime.KvCache;

namespace Hearth.Runtime.Serving;

/// <summary>
/// Runs one batched step: builds its inputs from the scheduled chunks, and compiles (and keeps, least recently used out)
/// one executable per (tokens, logit rows) shape. All T rows go through every MatMul together, so each weight is read
/// once per step for all sequences. To keep the number of shapes (and of compiled executables with their activation
/// buffers) small, T and R are rounded up to a few bucket sizes; padding rows are token 0 at position 0 writing to the
/// spare "null" block that no sequence owns, and padding logit rows repeat row 0 and are dropped. Batch invariance
/// makes the padding invisible to the real rows.
/// </summary>
internal sealed class BatchStepRunner : IDisposable
{
    private sealed record Compiled(IExecutable Executable, Node Tokens, Node Positions, Node Slots, Node Tables, Node LogitRows, Node Output);

    private readonly IGenerativeModel _model;
    private readonly IComputeDevice _device;
    private readonly PagedKvCache _cache;
    private readonly int _maxBlocksPerSeq;
    private readonly int _maxCompiled;
    private readonly Dictionary<(int, int, bool), Compiled> _compiled = [];
    private readonly LinkedList<(int, int, bool)> _recent = new();
    private int[] _tokens = [], _positions = [], _slots = [], _tables = [], _rows = [];
    private float[] _logits = [];
    private readonly int _nullBlock;

    /// <param name="nullBlock">A block of <paramref name="cache"/> no sequence ever owns: padding rows write there.</param>
    /// <param name="topK">Candidates a step may return instead of logits rows (0: never; dropped when the device lacks OpKind.TopK).</param>
    public BatchStepRunner(IGenerativeModel model, IComputeDevice device, PagedKvCache cache, int maxBlocksPerSeq, int maxCompiled, int nullBlock, int topK = 0)
    {
        TopK = Math.Min(topK, model.Config.VocabSize);
        _nullBlock = nullBlock;
        _model = model;
        _device = device;
        _cache = cache;
        _maxBlocksPerSeq = maxBlocksPerSeq;
        _maxCompiled = maxCompiled;
    }

    public int Compilations { get; private set; }

    /// <summary>Candidates per row of a candidates step (0: steps return logits rows).</summary>
    public int TopK { get; private set; }

    /// <summary>Width of a returned row: the vocabulary, or 2 TopK + 2 for a candidates step (OpKind.TopK's row).</summary>
    public int RowWidth(bool candidates) => candidates && TopK > 0 ? 2 * TopK + 2 : _model.Config.VocabSize;

    /// <summary>Runs the chunks as one step; returns, for the chunks that want logits and in chunk order, their logits rows
    /// [R, vocab] or, with <paramref name="candidates"/> (and <see cref="TopK"/> &gt; 0), their top-k rows [R, 2 TopK + 2].</summary>
    public ReadOnlySpan<float> Run(IReadOnlyList<ScheduledChunk> chunks, bool candidates = false)
    {
        candidates &= TopK > 0;
        int total = 0, rows = 0;
        foreach (var c in chunks)
        {
            total += c.Count;
            if (c.WantsLogits) rows++;
        }
        int padded = Bucket(total);
        // A step that only prefills still needs one logit row for the graph; it is computed and dropped.
        rows = Math.Min(RowBucket(Math.Max(rows, 1), padded), padded);
        Grow(ref _tokens, padded);
        Grow(ref _positions, padded);
        Grow(ref _slots, padded);
        Grow(ref _tables, padded * _maxBlocksPerSeq);
        Grow(ref _rows, rows);

        int blockSize = _cache.BlockSize;
        int t = 0, r = 0;
        foreach (var c in chunks)
        {
            var tokens = c.Sequence.TokenSpan;
            var table = c.Sequence.Table;
            for (int i = 0; i < c.Count; i++, t++)
            {
                int position = c.Start + i;
                _tokens[t] = tokens[position];
                _positions[t] = position;
                _slots[t] = table.Slot(position, blockSize);
                table.CopyTo(_tables.AsSpan(t * _maxBlocksPerSeq, _maxBlocksPerSeq));
            }
            if (c.WantsLogits) _rows[r++] = t - 1;
        }
        for (; t < padded; t++)
        {
            _tokens[t] = 0;
            _positions[t] = 0;
            _slots[t] = _nullBlock * blockSize;
            _tables.AsSpan(t * _maxBlocksPerSeq, _maxBlocksPerSeq).Fill(_nullBlock);
        }
        for (int i = r; i < rows; i++) _rows[i] = 0;

        var step = Get(padded, rows, candidates);
        candidates &= TopK > 0;  // Get dropped it if the device has no OpKind.TopK
        var exe = step.Executable;
        exe.SetInput(step.Tokens, _tokens.AsSpan(0, padded));
        exe.SetInput(step.Positions, _positions.AsSpan(0, padded));
        exe.SetInput(step.Slots, _slots.AsSpan(0, padded));
        exe.SetInput(step.Tables, _tables.AsSpan(0, padded * _maxBlocksPerSeq));
        exe.SetInput(step.LogitRows, _rows.AsSpan(0, rows));
        exe.Run();
        int width = RowWidth(candidates);
        Grow(ref _logits, rows * width);
        exe.Read(step.Output, _logits.AsSpan(0, rows * width));
        return _logits.AsSpan(0, r * width);
    }

    /// <summary>Step sizes compiled: exact up to 8, then multiples of 8 up to 64, then multiples of 64.</summary>
    public static int Bucket(int n) => n <= 8 ? n : n <= 64 ? (n + 7) / 8 * 8 : (n + 63) / 64 * 64;

    /// <summary>Logit rows compiled: as <see cref="Bucket"/> in small (decode) steps, where R = T usually; powers of two in
    /// large (prefill) steps, so the few large executables are not multiplied by every count of decoding sequences.</summary>
    public static int RowBucket(int rows, int paddedTokens) =>
        paddedTokens <= 64 ? Bucket(rows) : (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)rows), paddedTokens);

    private Compiled Get(int tokens, int rows, bool candidates)
    {
        var key = (tokens, rows, candidates);
        if (_compiled.TryGetValue(key, out var step))
        {
            _recent.Remove(key);
            _recent.AddFirst(key);
            return step;
        }
        var graph = _model.BuildBatchStepGraph(new BatchStepShape(tokens, rows, _cache.BlockSize, _maxBlocksPerSeq), _cache.Buffers);
        Node Find(string name) => graph.Find(name) ?? throw new HearthException($"batched step graph has no node named '{name}'");
        var logits = Find("logits");
        if (logits.Shape.ElementCount != (long)rows * _model.Config.VocabSize)
            throw new HearthException($"batched step graph output 'logits' has shape {logits.Shape}, expected [{rows}, {_model.Config.VocabSize}]");
        var output = logits;
        if (candidates)
        {
            if (DeviceCandidates.Attach(graph, logits, TopK, _device) is not { } topK)
            {
                TopK = 0;  // this device reads whole rows
                return Get(tokens, rows, candidates: false);
            }
            output = topK;
        }
        step = new Compiled(_device.Compile(graph), Find("tokens"), Find("positions"), Find("kv_slots"), Find("block_tables"), Find("logit_rows"), output);
        Compilations++;
        _compiled[key] = step;
        _recent.AddFirst(key);
        while (_recent.Count > _maxCompiled)
        {
            var evict = _recent.Last!.Value;
            _recent.RemoveLast();
            if (_compiled.Remove(evict, out var old)) old.Executable.Dispose();
        }
        return step;
    }

    private static void Grow<T>(ref T[] array, int length)
    {
        if (array.Length < length) array = new T[Math.Max(length, array.Length * 2)];
    }

    public void Dispose()
    {
        foreach (var step in _compiled.Values) step.Executable.Dispose();
        _compiled.Clear();
        _recent.Clear();
    }
}
