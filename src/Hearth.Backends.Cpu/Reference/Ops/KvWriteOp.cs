using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference.Ops;

// src [T, width], positions [T], cache [capacity, width] -> cache[positions[t]] = src[t] (converted to the cache type)
internal static class KvWriteOp
{
    public static void Run(string name, ReadOnlySpan<float> src, ReadOnlySpan<int> positions, CpuStateBuffer cache)
    {
        int width = cache.Width;
        for (int t = 0; t < positions.Length; t++)
        {
            int position = positions[t];
            if (position < 0)
                throw new HearthException($"graph node '{name}': negative position {position} at row {t}");
            if (position >= cache.Capacity)
                throw new HearthException($"graph node '{name}': context is full: position {position} does not fit cache '{cache.Name}' of {cache.Capacity} rows");
            long rowStart = (long)position * width;
            for (int i = 0; i < width; i++) cache.Set(rowStart + i, src[t * width + i]);
        }
    }
}
