using Hearth.Backends.Cpu;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;
using Hearth.Runtime.KvCache;

namespace Hearth.Runtime.Tests.Serving;

public class BlockAllocatorTests
{
    [Fact]
    public void Blocks_are_counted_released_to_the_free_list_and_never_handed_out_twice()
    {
        var allocator = new BlockAllocator(4);
        var taken = new HashSet<int>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(allocator.TryAllocate(out int b));
            Assert.True(taken.Add(b));
        }
        Assert.False(allocator.TryAllocate(out _));
        Assert.Equal(4, allocator.UsedCount);
        int first = taken.First();
        allocator.Retain(first);
        allocator.Release(first);
        Assert.Equal(0, allocator.AvailableCount);
        allocator.Release(first);
        Assert.Equal(1, allocator.FreeCount);
        Assert.Throws<InvalidOperationException>(() => allocator.Release(first));
        Assert.True(allocator.TryAllocate(out int again));
        Assert.Equal(first, again);
    }

    [Fact]
    public void Cached_blocks_outlive_their_sequences_and_are_evicted_least_recently_released_first()
    {
        var allocator = new BlockAllocator(3);
        var keys = new[] { PrefixKey.Of(PrefixKey.Root, [1, 2]), PrefixKey.Of(PrefixKey.Root, [3, 4]) };
        allocator.TryAllocate(out int a);
        allocator.TryAllocate(out int b);
        Assert.True(allocator.Register(a, keys[0]));
        Assert.True(allocator.Register(b, keys[1]));
        Assert.False(allocator.Register(b, keys[0]));  // already cached elsewhere
        allocator.Release(a);
        allocator.Release(b);
        Assert.Equal(2, allocator.CachedCount);
        Assert.Equal(0, allocator.UsedCount);

        // A hit revives the block (it leaves the evictable list).
        Assert.True(allocator.TryGetCached(PrefixKey.Of(PrefixKey.Root, [3, 4]), out int hit));
        Assert.Equal(b, hit);
        allocator.Retain(hit);
        Assert.Equal(1, allocator.CachedCount);

        allocator.TryAllocate(out int free);   // the free block first
        Assert.NotEqual(a, free);
        Assert.True(allocator.TryAllocate(out int evicted));  // then the LRU cached one
        Assert.Equal(a, evicted);
        Assert.False(allocator.TryGetCached(keys[0], out _));
        Assert.Equal(1, allocator.Evictions);
    }

    [Fact]
    public void Prefix_keys_compare_tokens_not_just_hashes()
    {
        var k1 = PrefixKey.Of(PrefixKey.Root, [1, 2, 3]);
        var k2 = PrefixKey.Of(PrefixKey.Root, [1, 2, 3]);
        var k3 = PrefixKey.Of(k1.Hash, [1, 2, 3]);
        Assert.Equal(k1, k2);
        Assert.NotEqual(k1, k3);
        Assert.NotEqual(k1.Hash, PrefixKey.Of(PrefixKey.Root, [1, 2, 4]).Hash);
    }

    [Fact]
    public void Prefix_matching_shares_full_blocks_and_always_leaves_a_token_to_compute()
    {
        var manager = new KvBlockManager(new BlockAllocator(10), blockSize: 4);
        int[] tokens = [.. Enumerable.Range(100, 12)];   // 3 full blocks
        var first = new BlockTable();
        Assert.Equal(0, manager.MatchPrefix(first, tokens));
        Assert.True(manager.TryPrepareWrite(first, 0, 12));
        manager.CommitFullBlocks(first, tokens, 12);
        Assert.Equal(3, manager.Allocator.CachedPrefixCount);

        var second = new BlockTable();
        Assert.Equal(8, manager.MatchPrefix(second, tokens));  // not all 12: the last token must run for logits
        Assert.Equal(first.Blocks.Take(2), second.Blocks);
        Assert.Equal(2, manager.Allocator.RefCount(first.Blocks[0]));

        var diverging = new BlockTable();
        int[] other = [.. tokens[..4], 7, 7, 7, 7, 7];
        Assert.Equal(4, manager.MatchPrefix(diverging, other));

        manager.Free(first);
        manager.Free(second);
        manager.Free(diverging);
        Assert.Equal(0, manager.Allocator.UsedCount);
        Assert.Equal(3, manager.Allocator.CachedCount);
        Assert.Equal(10, manager.Allocator.AvailableCount);
    }

    [Fact]
    public void Writes_that_do_not_fit_change_nothing()
    {
        var manager = new KvBlockManager(new BlockAllocator(3), blockSize: 4);
        var table = new BlockTable();
        Assert.True(manager.TryPrepareWrite(table, 0, 9));
        Assert.Equal(3, table.Blocks.Count);
        var other = new BlockTable();
        Assert.False(manager.TryPrepareWrite(other, 0, 1));
        Assert.Empty(other.Blocks);
        Assert.True(manager.TryPrepareWrite(table, 9, 12));  // inside the last block: nothing new
        Assert.False(manager.TryPrepareWrite(table, 12, 13));
        Assert.Equal(3, table.Blocks.Count);
    }

    [Fact]
    public void Fork_shares_blocks_and_copy_on_write_copies_the_shared_block_before_it_is_written()
    {
        CpuBackends.Register();
        using var device = BackendRegistry.Create(CpuBackends.ReferenceName);
        var config = new ModelConfig
        {
            Architecture = "llama", VocabSize = 8, Dim = 4, LayerCount = 2, HeadCount = 1, KvHeadCount = 1, HeadDim = 3,
            FfnDim = 8, ContextLength = 64, RmsNormEps = 1e-5f, RopeTheta = 10000, RopeMode = RopeMode.NeoX,
        };
        using var cache = new PagedKvCache(device, config, blockCount: 6, blockSize: 4);
        var manager = new KvBlockManager(new BlockAllocator(6), 4, cache);
        var parent = new BlockTable();
        Assert.True(manager.TryPrepareWrite(parent, 0, 6));   // one full block, one half full
        // Fill the parent's rows with known values (row r of the pool holds r + 0.5).
        var rows = Enumerable.Range(0, 24).SelectMany(r => Enumerable.Repeat(r + 0.5f, 3)).ToArray();
        Write(device, cache, rows);

        var child = manager.Fork(parent);
        Assert.Equal(parent.Blocks, child.Blocks);
        Assert.Equal(2, manager.Allocator.RefCount(parent.Blocks[1]));

        Assert.True(manager.TryPrepareWrite(child, 6, 7));     // writes into the shared half-full block
        Assert.Equal(1, manager.CopyOnWrites);
        Assert.Equal(parent.Blocks[0], child.Blocks[0]);       // the full block stays shared
        Assert.NotEqual(parent.Blocks[1], child.Blocks[1]);
        Assert.Equal(1, manager.Allocator.RefCount(parent.Blocks[1]));
        foreach (var layer in cache.Buffers.Keys.Concat(cache.Buffers.Values))
        {
            var copied = new float[12];
            var original = new float[12];
            layer.ReadRows(child.Blocks[1] * 4, 4, copied);
            layer.ReadRows(parent.Blocks[1] * 4, 4, original);
            Assert.Equal(original, copied);
        }
        Assert.True(manager.TryPrepareWrite(parent, 6, 7));    // no longer shared: written in place
        Assert.Equal(1, manager.CopyOnWrites);
        manager.Free(parent);
        manager.Free(child);
        Assert.Equal(0, manager.Allocator.UsedCount);
    }

    private static void Write(IComputeDevice device, PagedKvCache cache, float[] rows)
    {
        int count = rows.Length / 3;
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(rows.AsSpan()).ToArray();
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(bytes, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            var tensor = new HostTensor("rows", TensorType.F32, new Shape(count, 3), handle.AddrOfPinnedObject(), bytes.Length, bytes);
            var g = new ComputeGraph();
            var slots = g.Input("slots", count);
            var src = g.Weight(tensor);
            for (int layer = 0; layer < cache.Buffers.Keys.Count; layer++)
            {
                g.MarkOutput(g.KvWrite($"k{layer}", src, slots, g.State($"ks{layer}", cache.Buffers.Keys[layer]), layer));
                g.MarkOutput(g.KvWrite($"v{layer}", src, slots, g.State($"vs{layer}", cache.Buffers.Values[layer]), layer));
            }
            using var exe = device.Compile(g);
            exe.SetInput(slots, [.. Enumerable.Range(0, count)]);
            exe.Run();
        }
        finally
        {
            handle.Free();
        }
    }
}
