using Hearth.Backends.Cpu.Threading;

namespace Hearth.Backends.Cpu.Tests.Simd;

public class CpuThreadPoolTests
{
    private sealed class CountingWork(int items) : IParallelWork
    {
        public int[] Hits { get; } = new int[items];
        public int[] Workers { get; } = new int[items];

        public void Execute(int start, int end, int worker)
        {
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref Hits[i]);
                Workers[i] = worker;
            }
        }
    }

    private sealed class FailingWork : IParallelWork
    {
        public void Execute(int start, int end, int worker)
        {
            if (start <= 500 && 500 < end) throw new InvalidOperationException("item 500");
        }
    }

    [Theory]
    [InlineData(1, 1000, 7)]
    [InlineData(2, 1000, 7)]
    [InlineData(3, 5, 1)]
    [InlineData(4, 1, 16)]
    public void Every_item_runs_exactly_once(int threads, int items, int chunk)
    {
        using var pool = new CpuThreadPool(threads);
        for (int run = 0; run < 50; run++)
        {
            var work = new CountingWork(items);
            pool.Run(work, items, chunk);
            Assert.All(work.Hits, h => Assert.Equal(1, h));
            Assert.All(work.Workers, w => Assert.InRange(w, 0, threads - 1));
        }
    }

    [Fact]
    public void A_worker_exception_reaches_the_caller_and_the_pool_keeps_working()
    {
        using var pool = new CpuThreadPool(2);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(new FailingWork(), 1000, 10));
        Assert.Equal("item 500", e.Message);
        var work = new CountingWork(100);
        pool.Run(work, 100, 3);
        Assert.All(work.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Default_thread_count_is_the_processor_count()
    {
        using var pool = new CpuThreadPool();
        Assert.Equal(Environment.ProcessorCount, pool.ThreadCount);
    }
}
