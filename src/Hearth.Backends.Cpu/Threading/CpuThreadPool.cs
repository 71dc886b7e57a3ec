using System.Runtime.ExceptionServices;

namespace Hearth.Backends.Cpu.Threading;

/// <summary>
/// A fixed set of worker threads for compute kernels. The calling thread takes part as worker 0.
/// Work is handed out in chunks from a shared counter, so a core that finishes early takes more and all
/// finish together. Workers spin briefly after a job (steps come back to back) and then sleep on a monitor.
/// Dispatch allocates nothing: the job is an <see cref="IParallelWork"/> built once by the caller.
/// </summary>
public sealed class CpuThreadPool : IDisposable
{
    private const int SpinIterations = 2_000;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private IParallelWork? _work;
    private int _itemCount;
    private int _chunkSize;
    private int _nextItem;        // next unclaimed item (Interlocked)
    private int _inside;          // helpers inside the current job (Interlocked)
    private int _open;            // 1 while helpers may join the current job (Interlocked)
    private long _generation;     // bumped for every job; helpers wait for it to change
    private volatile bool _stopping;
    private Exception? _failure;

    /// <param name="threadCount">Total threads including the caller; 0 or less means <see cref="Environment.ProcessorCount"/>.</param>
    public CpuThreadPool(int threadCount = 0)
    {
        ThreadCount = threadCount > 0 ? threadCount : Environment.ProcessorCount;
        _threads = new Thread[ThreadCount - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"hearth-cpu-{worker}" };
            _threads[i].Start();
        }
    }

    public int ThreadCount { get; }

    /// <summary>Runs <paramref name="work"/> over items [0, itemCount) in chunks of about <paramref name="chunkSize"/>; returns when all are done.</summary>
    public void Run(IParallelWork work, int itemCount, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (itemCount <= 0) return;
        chunkSize = Math.Max(1, chunkSize);
        if (_threads.Length == 0 || itemCount <= chunkSize)
        {
            work.Execute(0, itemCount, 0);
            return;
        }
        _work = work;
        _itemCount = itemCount;
        _chunkSize = chunkSize;
        _nextItem = 0;
        _failure = null;
        Interlocked.Exchange(ref _open, 1);
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            Monitor.PulseAll(_gate);
        }
        RunChunks(0);
        // Close the job, then wait only for helpers that joined it: a helper the OS has not scheduled yet
        // (the cores are shared) must not hold up the step once all chunks are done.
        Interlocked.Exchange(ref _open, 0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _inside) != 0) spin.SpinOnce(sleep1Threshold: -1);
        _work = null;
        if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    private void RunChunks(int worker)
    {
        var work = _work!;
        try
        {
            while (true)
            {
                int start = Interlocked.Add(ref _nextItem, _chunkSize) - _chunkSize;
                if (start >= _itemCount) break;
                work.Execute(start, Math.Min(start + _chunkSize, _itemCount), worker);
            }
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            Volatile.Write(ref _nextItem, int.MaxValue / 2);  // others stop taking chunks
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            // Spin first: decode steps issue jobs every few microseconds and a sleep/wake costs more than that.
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen && !_stopping && spins++ < SpinIterations) Thread.SpinWait(20);
            if (Volatile.Read(ref _generation) == seen && !_stopping)
            {
                lock (_gate)
                {
                    while (Volatile.Read(ref _generation) == seen && !_stopping) Monitor.Wait(_gate);
                }
            }
            if (_stopping) return;
            seen = Volatile.Read(ref _generation);
            // Join (Dekker-style with the caller's close: both sides use full fences), or skip a job already closed.
            Interlocked.Increment(ref _inside);
            if (Volatile.Read(ref _open) == 1) RunChunks(worker);
            Interlocked.Decrement(ref _inside);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var thread in _threads) thread.Join();
    }
}
