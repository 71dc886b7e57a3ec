using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Threading;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Simd.Ops;

// q [T, heads * headDim], positions [T], kCache/vCache [rows, kvHeads * headDim], blockTables [T * maxBlocks] (paged) or none
// -> dst [T, heads * headDim]. Causal with optional sliding window over the query's logical positions; paged, logical j is
// cache row table[j / blockSize] * blockSize + j % blockSize, else row j.
// Work items are query tiles: up to TileTokens consecutive rows that read the same cache rows (one sequence: no table, or
// equal tables) times one KV head, with all query heads of that KV head. Each cache row is read (and converted from f16)
// once per tile and used for every query of the tile, so prefill and grouped-query attention stop paying the conversion
// per query. Batch invariance: a query's arithmetic (its scores in key order, its softmax, its weighted sum in key order)
// is the same whatever tile it is in, so it depends only on its own query, position and table, never on T or other rows.
internal sealed unsafe class AttentionStep : Step, IParallelWork
{
    private const int TileTokens = 16;
    // Keys per block that every query head of a group reads in turn: 128 keys of head dim 64 are 32 KiB, in L1.
    private const int KeyBlock = 128;
    // Groups of at least this many query heads per KV head score key by key, all heads at once (HeadScores).
    private const int HeadsByKeyMin = 4;

    private readonly string _name;
    private readonly float* _q;
    private readonly int* _positions;
    private readonly int* _tables;  // null when not paged
    private readonly int _tokens;
    private readonly CpuFastStateBuffer _k, _v;
    private readonly AttentionParams _p;
    private readonly float* _dst;
    private readonly CpuThreadPool _pool;
    private readonly int _span;                  // longest logical key span of one query
    private readonly AttentionScratch _scratch;  // per worker: scores (see Tile), then the tile's K and V rows as f32 [2, span, headDim]
    private readonly bool _byKey;                // scores of 8 heads key by key: [group / 8 chunks][span][8]; else [group][span]
    private readonly long _scoreFloats;
    private readonly Pinned<int> _tileStarts;    // [tiles + 1]: first row of each tile
    private int _tileCount;

    public AttentionStep(string name, float* q, int* positions, int* tables, int tokens, CpuFastStateBuffer k, CpuFastStateBuffer v,
        AttentionParams p, float* dst, CpuThreadPool pool, AttentionScratch scratch)
    {
        _name = name; _q = q; _positions = positions; _tables = tables; _tokens = tokens; _k = k; _v = v; _p = p; _dst = dst; _pool = pool;
        _span = (int)(p.IsPaged ? (long)p.MaxBlocksPerSeq * p.BlockSize : Math.Min(k.Capacity, v.Capacity));
        _scratch = scratch;
        int group = p.HeadCount / p.KvHeadCount;
        _byKey = group >= HeadsByKeyMin;
        _scoreFloats = (_byKey ? (group + 7) / 8 * 8L : group) * _span;
        scratch.Reserve(pool.ThreadCount, _scoreFloats + 2L * _span * p.HeadDim);
        _tileStarts = new Pinned<int>(tokens + 1);
    }

    public override void Run()
    {
        int capacity = Math.Min(_k.Capacity, _v.Capacity);
        for (int t = 0; t < _tokens; t++)
        {
            int position = _positions[t];
            if (position < 0) throw new HearthException($"graph node '{_name}': negative position {position} at row {t}");
            if (!_p.IsPaged)
            {
                if (position >= capacity)
                    throw new HearthException($"graph node '{_name}': context is full: position {position} is past the cache's {capacity} rows");
                continue;
            }
            if (position >= (long)_p.MaxBlocksPerSeq * _p.BlockSize)
                throw new HearthException($"graph node '{_name}': position {position} at row {t} is past the block table's {_p.MaxBlocksPerSeq} blocks of {_p.BlockSize}");
            int first = _p.SlidingWindow > 0 ? Math.Max(0, position - _p.SlidingWindow + 1) : 0;
            int* table = _tables + (long)t * _p.MaxBlocksPerSeq;
            for (int b = first / _p.BlockSize; b <= position / _p.BlockSize; b++)
            {
                int block = table[b];
                if (block < 0 || (long)(block + 1) * _p.BlockSize > capacity)
                    throw new HearthException($"graph node '{_name}': block table entry {block} (row {t}, block {b}) is outside the cache's {capacity / _p.BlockSize} blocks");
            }
        }
        PlanTiles();
        _pool.Run(this, _tileCount * _p.KvHeadCount, 1);
    }

    // Consecutive rows share a tile while they read the same cache rows: always without a table (one sequence), and with
    // tables when both rows' tables agree on every block either can reach.
    private void PlanTiles()
    {
        int tiles = 0;
        for (int t = 0; t < _tokens;)
        {
            _tileStarts.Pointer[tiles++] = t;
            int end = t + 1;
            while (end < _tokens && end - t < TileTokens && SameKeys(t, end)) end++;
            t = end;
        }
        _tileStarts.Pointer[tiles] = _tokens;
        _tileCount = tiles;
    }

    private bool SameKeys(int a, int b)
    {
        if (_tables == null) return true;
        int blocks = Math.Max(_positions[a], _positions[b]) / _p.BlockSize + 1;
        return new ReadOnlySpan<int>(_tables + (long)a * _p.MaxBlocksPerSeq, blocks)
            .SequenceEqual(new ReadOnlySpan<int>(_tables + (long)b * _p.MaxBlocksPerSeq, blocks));
    }

    public void Execute(int start, int end, int worker)
    {
        for (int item = start; item < end; item++)
        {
            int tile = item / _p.KvHeadCount, kvHead = item % _p.KvHeadCount;
            Tile(_tileStarts.Pointer[tile], _tileStarts.Pointer[tile + 1], kvHead, worker);
        }
    }

    // Rows [t0, t1) x the query heads of kvHead. The tile's key range of K and V is first gathered (and converted from
    // f16) into f32 scratch once; every query then runs the same three loops over it: scores 8 keys at a time, softmax,
    // weighted sum with the outputs in registers.
    private void Tile(int t0, int t1, int kvHead, int worker)
    {
        int headDim = _p.HeadDim, width = _p.HeadCount * headDim;
        int group = _p.HeadCount / _p.KvHeadCount;
        float* scores = _scratch.For(worker);
        int* table = _tables == null ? null : _tables + (long)t0 * _p.MaxBlocksPerSeq;  // the tile's rows share it

        int lo = int.MaxValue, hi = -1;
        for (int t = t0; t < t1; t++)
        {
            lo = Math.Min(lo, First(_positions[t]));
            hi = Math.Max(hi, _positions[t]);
        }
        int keys = hi - lo + 1;
        // A one-row tile (decode) reads an F32 cache in place, run by run (a run = rows contiguous in the cache); other
        // tiles gather the rows into contiguous f32 scratch once (converting f16), which pays when many queries reuse
        // them. The copy is exact, so a key's arithmetic is the same either way and tiles never change results.
        bool inPlace = _k.F32 != null && _v.F32 != null && t1 - t0 == 1;
        float* k = scores + _scoreFloats, v = k + (long)_span * headDim;
        if (!inPlace)
        {
            Gather(_k, table, kvHead, lo, keys, k);
            Gather(_v, table, kvHead, lo, keys, v);
        }
        long kvWidth = (long)_p.KvHeadCount * headDim, kvOffset = (long)kvHead * headDim;

        // Per row, all the group's query heads go through the keys together, a block of keys at a time, so each block of
        // K and V is read from memory once and then from L1 by every head. A score and a weighted sum do not depend on
        // how the keys are split (AttentionKernels), so the blocks change nothing in the results. Groups of 4 or more
        // heads score key by key, 8 heads at once (each key loaded once; the same bits per score), and take their softmax
        // across the heads' lanes; smaller groups score head by head. Which one depends only on the model.
        int chunks = (group + 7) / 8;
        float* maxes = stackalloc float[chunks * 8];
        float* sums = stackalloc float[chunks * 8];
        for (int t = t0; t < t1; t++)
        {
            int position = _positions[t], first = First(position), count = position - first + 1;
            float* query = _q + (long)t * width + kvHead * group * headDim;
            float* output = _dst + (long)t * width + kvHead * group * headDim;
            for (int h = 0; h < chunks * 8; h++) maxes[h] = float.NegativeInfinity;
            if (inPlace)
            {
                // A decode row reads its keys and values in place, block by block (each block a new stream the hardware
                // prefetcher has to find): ask for all of them into L2 first, values included, while the keys are scored.
                PrefetchRows(_k, table, first, count, kvOffset, kvWidth);
                PrefetchRows(_v, table, first, count, kvOffset, kvWidth);
            }
            for (int j = 0; j < count;)
            {
                int run = Segment(inPlace ? _k : null, k, table, first, lo, j, count, kvOffset, kvWidth, out float* keysAt, out long stride);
                if (_byKey)
                {
                    for (int c = 0; c < chunks; c++)
                        HeadScores(Math.Min(8, group - 8 * c), query + 8 * c * headDim, keysAt, stride, run, headDim, _p.Scale,
                            scores + c * 8L * _span + 8L * j, maxes + 8 * c);
                }
                else
                {
                    for (int h = 0; h < group; h++)
                        maxes[h] = MathF.Max(maxes[h], AttentionKernels.Scores(query + h * headDim, keysAt, stride, run, headDim, _p.Scale, scores + (long)h * _span + j));
                }
                j += run;
            }
            if (_byKey)
                for (int c = 0; c < chunks; c++) ExpByKey(scores + c * 8L * _span, count, maxes + 8 * c, sums + 8 * c);
            else
                for (int h = 0; h < group; h++) sums[h] = ExpInPlace(scores + (long)h * _span, count, maxes[h]);
            int weightStride = _byKey ? 8 : 1;
            for (int j = 0; j < count;)
            {
                int run = Segment(inPlace ? _v : null, v, table, first, lo, j, count, kvOffset, kvWidth, out float* valuesAt, out long stride);
                // Heads in pairs: each value row is loaded once for both (the same chain per output as one head alone).
                int h = 0;
                for (; h + 2 <= group; h += 2)
                    AttentionKernels.WeightedSum2(Weights(scores, h) + (long)j * weightStride, Weights(scores, h + 1) + (long)j * weightStride, weightStride,
                        valuesAt, stride, run, headDim, output + h * headDim, output + (h + 1) * headDim, accumulate: j > 0);
                if (h < group)
                    AttentionKernels.WeightedSum(Weights(scores, h) + (long)j * weightStride, weightStride, valuesAt, stride, run, headDim, output + h * headDim, accumulate: j > 0);
                j += run;
            }
            for (int h = 0; h < group; h++) AttentionKernels.Scale(output + h * headDim, headDim, 1f / sums[h]);
        }
    }

    // Head h's first weight (key 0) in the scores scratch: [chunk][key][8 heads] key by key, else [head][key].
    private float* Weights(float* scores, int h) => _byKey ? scores + (h >> 3) * 8L * _span + (h & 7) : scores + (long)h * _span;

    // Scores of n (1..8) heads key by key into scores[j * 8 + h]; maxes[h] keeps each head's running max.
    private static void HeadScores(int n, float* query, float* keys, long stride, int count, int headDim, float scale, float* scores, float* maxes)
    {
        var max = Vector256.Load(maxes);
        switch (n)
        {
            case 1: AttentionKernels.HeadScores<One>(query, keys, stride, count, headDim, scale, scores, ref max); break;
            case 2: AttentionKernels.HeadScores<Two>(query, keys, stride, count, headDim, scale, scores, ref max); break;
            case 3: AttentionKernels.HeadScores<Three>(query, keys, stride, count, headDim, scale, scores, ref max); break;
            case 4: AttentionKernels.HeadScores<Four>(query, keys, stride, count, headDim, scale, scores, ref max); break;
            case 5: AttentionKernels.HeadScores<Five>(query, keys, stride, count, headDim, scale, scores, ref max); break;
            case 6: AttentionKernels.HeadScores<Six>(query, keys, stride, count, headDim, scale, scores, ref max); break;
            case 7: AttentionKernels.HeadScores<Seven>(query, keys, stride, count, headDim, scale, scores, ref max); break;
            default: AttentionKernels.HeadScores<Eight>(query, keys, stride, count, headDim, scale, scores, ref max); break;
        }
        max.Store(maxes);
    }

    // scores[j * 8 + h] = exp(scores[j * 8 + h] - max[h]) for j in [0, count); sums[h] = their sum in key order.
    private static void ExpByKey(float* scores, int count, float* maxes, float* sums)
    {
        var m = Vector256.Load(maxes);
        var acc = Vector256<float>.Zero;
        for (int j = 0; j < count; j++)
        {
            var e = FastExp.Exp(Vector256.Load(scores + 8L * j) - m);
            e.Store(scores + 8L * j);
            acc += e;
        }
        acc.Store(sums);
    }

    // Keys a block of at most KeyBlock from logical key j of a query (first the window's start): in place in the cache (a
    // run of contiguous cache rows) or in the tile's gathered scratch (gathered from lo).
    private int Segment(CpuFastStateBuffer? inPlace, float* gathered, int* table, int first, int lo, int j, int count, long kvOffset, long kvWidth,
        out float* at, out long stride)
    {
        int left = Math.Min(KeyBlock, count - j);
        if (inPlace is null)
        {
            at = gathered + (long)(first - lo + j) * _p.HeadDim;
            stride = _p.HeadDim;
            return left;
        }
        int run = Run(table, _p.BlockSize, first + j, left, out long row);
        at = inPlace.F32 + row * kvWidth + kvOffset;
        stride = kvWidth;
        return run;
    }

    // Every cache line of the rows of logical positions [first, first + count) of one KV head, into L2 (x86 only: .NET has
    // no prefetch for Arm, whose prefetchers follow the streams on their own).
    private void PrefetchRows(CpuFastStateBuffer cache, int* table, int first, int count, long kvOffset, long kvWidth)
    {
        if (!Sse.IsSupported) return;
        int headDim = _p.HeadDim;
        for (int j = 0; j < count;)
        {
            int run = Run(table, _p.BlockSize, first + j, count - j, out long row);
            float* at = cache.F32 + row * kvWidth + kvOffset;
            for (int stop = j + run; j < stop; j++, at += kvWidth)
                for (int line = 0; line < headDim; line += 16) Sse.Prefetch1(at + line);
        }
    }

    // Logical positions [lo, lo + count) of one KV head -> dst [count, headDim] f32.
    private void Gather(CpuFastStateBuffer cache, int* table, int kvHead, int lo, int count, float* dst)
    {
        int headDim = _p.HeadDim, kvWidth = _p.KvHeadCount * headDim;
        long kvOffset = (long)kvHead * headDim;
        for (int j = 0; j < count;)
        {
            int run = Run(table, _p.BlockSize, lo + j, count - j, out long row);
            long at = row * kvWidth + kvOffset;
            for (int stop = j + run; j < stop; j++, at += kvWidth, dst += headDim)
            {
                if (cache.F32 != null) new ReadOnlySpan<float>(cache.F32 + at, headDim).CopyTo(new Span<float>(dst, headDim));
                else Convert(cache.F16 + at, dst, headDim);
            }
        }
    }

    private int First(int position) => _p.SlidingWindow > 0 ? Math.Max(0, position - _p.SlidingWindow + 1) : 0;

    // f16 row -> f32 scratch (exact), so a row read by many queries is converted once.
    private static float* Convert(ushort* half, float* dst, int count)
    {
        int i = 0;
        for (; i + 8 <= count; i += 8) HalfTable.ToFloat(Vector128.Load(half + i)).Store(dst + i);
        for (; i < count; i++) dst[i] = HalfTable.ToFloat(half[i]);
        return dst;
    }

    // From logical position j: the cache row it lives in and how many of the next `left` positions follow it contiguously.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Run(int* table, int blockSize, int j, int left, out long row)
    {
        if (table == null)
        {
            row = j;
            return left;
        }
        int offset = j % blockSize;
        row = (long)table[j / blockSize] * blockSize + offset;
        return Math.Min(left, blockSize - offset);
    }

    // scores[j] = exp(scores[j] - max); returns the sum
    private static float ExpInPlace(float* scores, int count, float max)
    {
        var m = Vector256.Create(max);
        var acc = Vector256<float>.Zero;
        int j = 0;
        for (; j + 8 <= count; j += 8)
        {
            var e = FastExp.Exp(Vector256.Load(scores + j) - m);
            e.Store(scores + j);
            acc += e;
        }
        float sum = Vector256.Sum(acc);
        for (; j < count; j++)
        {
            scores[j] = FastExp.Exp(scores[j] - max);
            sum += scores[j];
        }
        return sum;
    }
}

/// <summary>Per-worker scratch shared by the attention steps of one executable (they run one after another).</summary>
internal sealed unsafe class AttentionScratch
{
    private Pinned<float>[] _perWorker = [];
    private long _floats;

    /// <summary>Grows the scratch at compile time so no run allocates.</summary>
    public void Reserve(int workers, long floats)
    {
        if (workers <= _perWorker.Length && floats <= _floats) return;
        _floats = Math.Max(_floats, floats);
        _perWorker = new Pinned<float>[Math.Max(workers, _perWorker.Length)];
        for (int i = 0; i < _perWorker.Length; i++) _perWorker[i] = new Pinned<float>(_floats);
    }

    public float* For(int worker) => _perWorker[worker].Pointer;
}
