using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference.Ops;

// q [T, heads * headDim], positions [T], kCache/vCache [capacity, kvHeads * headDim] -> dst [T, heads * headDim]
// = softmax(scale * q . k[j]) @ v[j] over cache rows max(0, p - window + 1) <= j <= p (window 0: 0 <= j <= p)
internal static class AttentionOp
{
    public static void Run(string name, ReadOnlySpan<float> q, ReadOnlySpan<int> positions, CpuStateBuffer kCache, CpuStateBuffer vCache,
        AttentionParams p, Span<float> dst)
    {
        int headDim = p.HeadDim;
        int width = p.HeadCount * headDim;
        int kvWidth = p.KvHeadCount * headDim;
        int headsPerKvHead = p.HeadCount / p.KvHeadCount;
        int capacity = Math.Min(kCache.Capacity, vCache.Capacity);
        for (int t = 0; t < positions.Length; t++)
        {
            int position = positions[t];
            if (position < 0)
                throw new HearthException($"graph node '{name}': negative position {position} at row {t}");
            if (position >= capacity)
                throw new HearthException($"graph node '{name}': context is full: position {position} is past the cache's {capacity} rows");
            int first = p.SlidingWindow > 0 ? Math.Max(0, position - p.SlidingWindow + 1) : 0;
            var scores = new float[position - first + 1];
            for (int h = 0; h < p.HeadCount; h++)
            {
                var query = q.Slice(t * width + h * headDim, headDim);
                int kvOffset = h / headsPerKvHead * headDim;

                for (int j = first; j <= position; j++)
                {
                    long keyStart = (long)j * kvWidth + kvOffset;
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double)query[d] * kCache.Get(keyStart + d);
                    scores[j - first] = (float)dot * p.Scale;
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
                    for (int j = first; j <= position; j++) acc += (double)scores[j - first] * vCache.Get((long)j * kvWidth + kvOffset + d);
                    output[d] = (float)acc;
                }
            }
        }
    }
}
