using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference.Ops;

// src [T, width], slots [T], cache [rows, width] -> cache[slots[t]] = src[t] (converted to the cache type)
internal static class KvWriteOp
{
    public static void Run(string name, ReadOnlySpan<float> src, ReadOnlySpan<int> slots, CpuStateBuffer cache)
    {
        int width = cache.Width;
        for (int t = 0; t < slots.Length; t++)
        {
            int slot = slots[t];
            if (slot < 0)
                throw new HearthException($"graph node '{name}': negative slot {slot} at row {t}");
            if (slot >= cache.Capacity)
                throw new HearthException($"graph node '{name}': context is full: slot {slot} does not fit cache '{cache.Name}' of {cache.Capacity} rows");
            long rowStart = (long)slot * width;
            for (int i = 0; i < width; i++) cache.Set(rowStart + i, src[t * width + i]);
        }
    }
}
