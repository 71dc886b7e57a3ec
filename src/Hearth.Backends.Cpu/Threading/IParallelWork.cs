namespace Hearth.Backends.Cpu.Threading;

/// <summary>
/// Work split over items (output rows, heads): <see cref="Execute"/> runs on several threads at once, each
/// with a disjoint range. Implemented by pre-built op objects so dispatching allocates nothing.
/// </summary>
public interface IParallelWork
{
    /// <summary>Processes items [start, end); <paramref name="worker"/> (0 = the calling thread) indexes per-thread scratch.</summary>
    void Execute(int start, int end, int worker);
}
