namespace Hearth.Backends.Vulkan;

/// <summary>
/// Static memory plan for a graph's activations: each value gets an offset in one arena buffer, and values whose
/// lifetimes (first write .. last read, in node order) do not overlap share bytes. First fit, in node order.
/// </summary>
internal static class ArenaPlanner
{
    public readonly record struct Request(int Start, int End, long Bytes);

    /// <summary>Offsets for each request (aligned to <paramref name="alignment"/>) and the arena size.</summary>
    public static (long[] Offsets, long Size) Plan(IReadOnlyList<Request> requests, long alignment)
    {
        var offsets = new long[requests.Count];
        var placed = new List<int>();
        long size = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            long bytes = Align(r.Bytes, alignment);
            // Intervals of bytes taken by live values, sorted by offset; take the first gap that fits.
            var busy = placed.Where(j => requests[j].Start <= r.End && r.Start <= requests[j].End)
                .Select(j => (Offset: offsets[j], End: offsets[j] + Align(requests[j].Bytes, alignment)))
                .OrderBy(b => b.Offset).ToList();
            long candidate = 0;
            foreach (var (offset, end) in busy)
            {
                if (candidate + bytes <= offset) break;
                candidate = Math.Max(candidate, end);
            }
            offsets[i] = candidate;
            size = Math.Max(size, candidate + bytes);
            placed.Add(i);
        }
        return (offsets, size);
    }

    public static long Align(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
