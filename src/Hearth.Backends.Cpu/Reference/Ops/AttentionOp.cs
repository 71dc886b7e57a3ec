using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference.Ops;

// q [T, heads * headDim], positions [T], kCache/vCache [rows, kvHeads * headDim], blockTables [T * maxBlocks] or null
// -> dst [T, heads * headDim] = softmax(scale * q . k[j]) @ v[j] over the logical positions max(0, p - window + 1) <= j <= p
// (window 0: 0 <= j <= p); logical j lives in cache row Row(t, j) (the block table's, or j itself without one).
internal static class AttentionOp
{
    public static void Run(string name, ReadOnlySpan<float> q, ReadOnlySpan<int> positions, CpuStateBuffer kCache, CpuStateBuffer vCache,
        ReadOnlySpan<int> blockTables, AttentionParams p, Span<float> dst)
    {
        int headDim = p.HeadDim;
        int width = p.HeadCount * headDim;
        int kvWidth = p.KvHeadCount * headDim;
        int headsPerKvHead = p.HeadCount / p.KvHeadCount;
        int capacity = Math.Min(kCache.Capacity, vCache.Capacity);
        for (int t = 0; t < positions.Length; t++)
        {
            int position = positions[t];
            int first = p.SlidingWindow > 0 ? Math.Max(0, position - p.SlidingWindow + 1) : 0;
            var rows = new long[position - first + 1 < 0 ? 0 : position - first + 1];
            CheckAndMapRows(name, t, position, first, capacity, blockTables, p, rows);
            var scores = new float[rows.Length];
            for (int h = 0; h < p.HeadCount; h++)
            {
                var query = q.Slice(t * width + h * headDim, headDim);
                int kvOffset = h / headsPerKvHead * headDim;

                for (int i = 0; i < rows.Length; i++)
                {
                    long keyStart = rows[i] * kvWidth + kvOffset;
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double)query[d] * kCache.Get(keyStart + d);
                    scores[i] = (float)dot * p.Scale;
                }

                // Softmax with the maximum subtracted so exp never overflows.
                float max = float.NegativeInfinity;
                foreach (float s in scores) max = MathF.Max(max, s);
                double sum = 0;
                for (int i = 0; i < scores.Length; i++)
                {
                    scores[i] = MathF.Exp(scores[i] - max);
                    sum += scores[i];
                }
                for (int i = 0; i < scores.Length; i++) scores[i] = (float)(scores[i] / sum);

                var output = dst.Slice(t * width + h * headDim, headDim);
                for (int d = 0; d < headDim; d++)
                {
                    double acc = 0;
                    for (int i = 0; i < rows.Length; i++) acc += (double)scores[i] * vCache.Get(rows[i] * kvWidth + kvOffset + d);
                    output[d] = (float)acc;
                }
            }
        }
    }

    // Logical positions [first, position] of query t -> cache rows; throws naming the node for a bad position or table entry.
    private static void CheckAndMapRows(string name, int t, int position, int first, int capacity, ReadOnlySpan<int> blockTables,
        AttentionParams p, Span<long> rows)
    {
        if (position < 0) throw new HearthException($"graph node '{name}': negative position {position} at row {t}");
        if (!p.IsPaged)
        {
            if (position >= capacity)
                throw new HearthException($"graph node '{name}': context is full: position {position} is past the cache's {capacity} rows");
            for (int j = first; j <= position; j++) rows[j - first] = j;
            return;
        }
        if (position >= (long)p.MaxBlocksPerSeq * p.BlockSize)
            throw new HearthException($"graph node '{name}': position {position} at row {t} is past the block table's {p.MaxBlocksPerSeq} blocks of {p.BlockSize}");
        var table = blockTables.Slice(t * p.MaxBlocksPerSeq, p.MaxBlocksPerSeq);
        for (int j = first; j <= position; j++)
        {
            int block = table[j / p.BlockSize];
            if (block < 0 || (long)(block + 1) * p.BlockSize > capacity)
                throw new HearthException($"graph node '{name}': block table entry {block} (row {t}, block {j / p.BlockSize}) is outside the cache's {capacity / p.BlockSize} blocks");
            rows[j - first] = (long)block * p.BlockSize + j % p.BlockSize;
        }
    }
}
