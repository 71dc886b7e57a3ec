using System.Runtime.Intrinsics;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Threading;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Simd.Ops;

// q [T, heads * headDim], positions [T], kCache/vCache [rows, kvHeads * headDim], blockTables [T * maxBlocks] (paged) or none
// -> dst [T, heads * headDim]. Causal with optional sliding window over the query's logical positions; paged, logical j is
// cache row table[j / blockSize] * blockSize + j % blockSize, else row j. Work items are (token, head) pairs spread over the
// pool; each reads the cache rows in place, with one score row of scratch per worker (nothing allocated per step). An
// item's arithmetic depends only on its own query, position and table, never on T or the other rows (batch invariance).
internal sealed unsafe class AttentionStep : Step, IParallelWork
{
    private readonly string _name;
    private readonly float* _q;
    private readonly int* _positions;
    private readonly int* _tables;  // null when not paged
    private readonly int _tokens;
    private readonly CpuFastStateBuffer _k, _v;
    private readonly AttentionParams _p;
    private readonly float* _dst;
    private readonly CpuThreadPool _pool;
    private readonly Pinned<float>[] _scores;  // per worker: [longest logical span]

    public AttentionStep(string name, float* q, int* positions, int* tables, int tokens, CpuFastStateBuffer k, CpuFastStateBuffer v,
        AttentionParams p, float* dst, CpuThreadPool pool)
    {
        _name = name; _q = q; _positions = positions; _tables = tables; _tokens = tokens; _k = k; _v = v; _p = p; _dst = dst; _pool = pool;
        _scores = new Pinned<float>[pool.ThreadCount];
        long span = p.IsPaged ? (long)p.MaxBlocksPerSeq * p.BlockSize : Math.Min(k.Capacity, v.Capacity);
        for (int i = 0; i < _scores.Length; i++) _scores[i] = new Pinned<float>(span);
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
        _pool.Run(this, _tokens * _p.HeadCount, 1);
    }

    public void Execute(int start, int end, int worker)
    {
        int headDim = _p.HeadDim, width = _p.HeadCount * headDim, kvWidth = _p.KvHeadCount * headDim;
        int group = _p.HeadCount / _p.KvHeadCount;
        int blockSize = _p.BlockSize;
        float* scores = _scores[worker].Pointer;
        for (int item = start; item < end; item++)
        {
            int t = item / _p.HeadCount, h = item % _p.HeadCount;
            int position = _positions[t];
            int first = _p.SlidingWindow > 0 ? Math.Max(0, position - _p.SlidingWindow + 1) : 0;
            int count = position - first + 1;
            float* query = _q + (long)t * width + h * headDim;
            long kvOffset = (long)(h / group) * headDim;
            int* table = _tables == null ? null : _tables + (long)t * _p.MaxBlocksPerSeq;

            // Rows come in runs that are contiguous in the cache (a whole block, or everything without a table), so the
            // table is read once per block and the inner loops just step a pointer.
            float max = float.NegativeInfinity;
            for (int j = 0; j < count;)
            {
                int run = Run(table, blockSize, first + j, count - j, out long row);
                long at = row * kvWidth + kvOffset;
                for (int stop = j + run; j < stop; j++, at += kvWidth)
                {
                    float dot = _k.F32 != null ? FloatDots.Dot(query, _k.F32 + at, headDim) : FloatDots.DotHalf(query, _k.F16 + at, headDim);
                    float s = dot * _p.Scale;
                    scores[j] = s;
                    max = MathF.Max(max, s);
                }
            }
            float sum = ExpInPlace(scores, count, max);

            float* output = _dst + (long)t * width + h * headDim;
            new Span<float>(output, headDim).Clear();
            for (int j = 0; j < count;)
            {
                int run = Run(table, blockSize, first + j, count - j, out long row);
                long at = row * kvWidth + kvOffset;
                for (int stop = j + run; j < stop; j++, at += kvWidth)
                {
                    if (_v.F32 != null) FloatDots.Axpy(scores[j], _v.F32 + at, output, headDim);
                    else FloatDots.AxpyHalf(scores[j], _v.F16 + at, output, headDim);
                }
            }
            float inverse = 1f / sum;
            for (int d = 0; d < headDim; d++) output[d] *= inverse;
        }
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
            var e = Vector256.Exp(Vector256.Load(scores + j) - m);
            e.Store(scores + j);
            acc += e;
        }
        float sum = Vector256.Sum(acc);
        for (; j < count; j++)
        {
            scores[j] = MathF.Exp(scores[j] - max);
            sum += scores[j];
        }
        return sum;
    }
}
