using Hearth.Runtime.Generation;
using Hearth.Runtime.KvCache;
using Hearth.Runtime.Serving;
using Hearth.Runtime.Tests.Fakes;

namespace Hearth.Runtime.Tests.Serving;

/// <summary>The scheduling policy alone: no model, the block bookkeeping without device memory.</summary>
public class SchedulerTests
{
    private const int BlockSize = 4;
    private static long _ids;

    private static EngineSequence Sequence(int promptLength, int first = 3)
    {
        var request = new EngineRequest { PromptIds = [.. Enumerable.Range(0, promptLength).Select(i => first + i % 20)] };
        return new EngineSequence(Interlocked.Increment(ref _ids), request, new TokenEmitter(new CharTokenizer(), new HashSet<int> { 1 }, [], true));
    }

    // What the engine does after a step: the chunk's tokens are computed; a chunk that reached the end samples a token.
    private static void Complete(List<ScheduledChunk> chunks, KvBlockManager? blocks = null)
    {
        foreach (var c in chunks)
        {
            c.Sequence.Computed += c.Count;
            blocks?.CommitFullBlocks(c.Sequence.Table, c.Sequence.TokenSpan, c.Sequence.Computed);
            if (c.WantsLogits) c.Sequence.Tokens.Add(5);
        }
    }

    private static (EngineSequence, int, int)[] Shape(List<ScheduledChunk> chunks) => [.. chunks.Select(x => (x.Sequence, x.Start, x.Count))];

    [Fact]
    public void Decodes_go_first_then_prefill_chunks_under_the_token_budget_and_the_sequence_limit()
    {
        var blocks = new KvBlockManager(new BlockAllocator(100), BlockSize);
        var scheduler = new Scheduler(blocks, maxTokensPerStep: 10, maxSequences: 3, prefixCaching: false);
        EngineSequence a = Sequence(3), b = Sequence(25), c = Sequence(2), d = Sequence(2);
        foreach (var s in new[] { a, b, c, d }) scheduler.Enqueue(s);

        var step = scheduler.Schedule();
        Assert.Equal([(a, 0, 3), (b, 0, 7)], Shape(step));
        Complete(step);
        step = scheduler.Schedule();        // a decodes first; b's prefill goes on in chunks
        Assert.Equal([(a, 3, 1), (b, 7, 9)], Shape(step));
        Complete(step);
        step = scheduler.Schedule();
        Assert.Equal([(a, 4, 1), (b, 16, 9)], Shape(step));
        Assert.True(step[1].WantsLogits);
        Complete(step);
        step = scheduler.Schedule();        // both decode, c joins; d waits for the limit of 3 sequences
        Assert.Equal([(a, 5, 1), (b, 25, 1), (c, 0, 2)], Shape(step));
        Assert.Equal(1, scheduler.WaitingCount);
        scheduler.Remove(a);
        Complete(step);
        step = scheduler.Schedule();
        Assert.Equal([(b, 26, 1), (c, 2, 1), (d, 0, 2)], Shape(step));
    }

    [Fact]
    public void The_youngest_sequence_is_preempted_when_blocks_run_out_and_recomputed_later()
    {
        var blocks = new KvBlockManager(new BlockAllocator(4), BlockSize);
        var scheduler = new Scheduler(blocks, maxTokensPerStep: 100, maxSequences: 10, prefixCaching: true);
        EngineSequence x = Sequence(7), y = Sequence(7, first: 30);
        scheduler.Enqueue(x);
        scheduler.Enqueue(y);
        var step = scheduler.Schedule();
        Assert.Equal([(x, 0, 7), (y, 0, 7)], Shape(step));
        Complete(step, blocks);
        step = scheduler.Schedule();        // position 7 still fits the second block of each
        Assert.Equal([(x, 7, 1), (y, 7, 1)], Shape(step));
        Complete(step, blocks);
        Assert.Equal(0, blocks.Allocator.AvailableCount);

        step = scheduler.Schedule();        // x needs a third block: y (younger) is preempted
        Assert.Equal([(x, 8, 1)], Shape(step));
        Assert.Equal(1, scheduler.Preemptions);
        Assert.Equal(0, y.Computed);
        Assert.Empty(y.Table.Blocks);
        Assert.Equal(1, scheduler.WaitingCount);
        Assert.Equal(9, y.Tokens.Count);    // its generated token stays: recompute covers prompt and output
        Complete(step, blocks);

        step = scheduler.Schedule();        // no block to spare for y while x runs
        Assert.Equal([(x, 9, 1)], Shape(step));
        Complete(step, blocks);
        scheduler.Remove(x);                // x finished
        step = scheduler.Schedule();        // y's first full block survived in the prefix cache; the rest is recomputed
        Assert.Equal([(y, 4, 5)], Shape(step));
    }

    [Fact]
    public void A_prefill_chunk_shrinks_to_the_blocks_there_are_instead_of_preempting()
    {
        var blocks = new KvBlockManager(new BlockAllocator(3), BlockSize);
        var scheduler = new Scheduler(blocks, maxTokensPerStep: 100, maxSequences: 10, prefixCaching: false);
        var big = Sequence(11);
        scheduler.Enqueue(big);
        var step = scheduler.Schedule();
        Assert.Equal([(big, 0, 11)], Shape(step));
        Complete(step);
        var late = Sequence(20);
        scheduler.Enqueue(late);
        step = scheduler.Schedule();        // big decodes at 11 (its third block has room); late finds no block
        Assert.Equal([(big, 11, 1)], Shape(step));
        Assert.Equal(0, scheduler.Preemptions);
        Assert.Equal(1, scheduler.WaitingCount);
    }
}

public class StepBucketTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    [InlineData(9, 16)]
    [InlineData(64, 64)]
    [InlineData(65, 128)]
    [InlineData(512, 512)]
    public void Token_counts_round_up_to_few_buckets(int tokens, int bucket) => Assert.Equal(bucket, BatchStepRunner.Bucket(tokens));

    [Theory]
    [InlineData(5, 8, 5)]
    [InlineData(33, 40, 40)]
    [InlineData(33, 512, 64)]
    [InlineData(3, 512, 4)]
    [InlineData(100, 128, 128)]
    public void Logit_rows_round_up_within_the_step(int rows, int paddedTokens, int bucket) =>
        Assert.Equal(bucket, BatchStepRunner.RowBucket(rows, paddedTokens));
}
