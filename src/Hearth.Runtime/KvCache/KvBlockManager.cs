using Hearth.Core;

namespace Hearth.Runtime.KvCache;

/// <summary>
/// Sequences' block tables over one <see cref="BlockAllocator"/> and <see cref="PagedKvCache"/>: automatic prefix
/// caching (a new sequence starts from the cached blocks of its longest cached prefix of full blocks), growth,
/// fork (blocks shared, reference counted) and copy-on-write (a shared block is copied before it is written).
/// Cached blocks are immutable: a sequence only writes positions at or after its computed length, and a prefix match
/// always leaves at least the last prompt token to compute, so a hit never lands in a block that will be written.
/// Not thread-safe: the engine's step thread owns it.
/// </summary>
public sealed class KvBlockManager
{
    private readonly PagedKvCache? _cache;

    /// <param name="cache">The device pools, for copy-on-write; null in unit tests of the bookkeeping alone.</param>
    public KvBlockManager(BlockAllocator allocator, int blockSize, PagedKvCache? cache = null)
    {
        Allocator = allocator ?? throw new ArgumentNullException(nameof(allocator));
        if (blockSize <= 0) throw new HearthException($"KV block size must be positive (got {blockSize})");
        if (cache is not null && (cache.BlockCount < allocator.BlockCount || cache.BlockSize != blockSize))
            throw new ArgumentException("the cache has fewer or differently sized blocks than the allocator", nameof(cache));
        BlockSize = blockSize;
        _cache = cache;
    }

    public BlockAllocator Allocator { get; }
    public int BlockSize { get; }
    public long CopyOnWrites { get; private set; }

    /// <summary>Blocks needed to hold <paramref name="tokens"/> tokens.</summary>
    public int BlocksFor(int tokens) => (tokens + BlockSize - 1) / BlockSize;

    /// <summary>
    /// For an empty table: takes the cached blocks of the longest prefix of <paramref name="tokens"/> made of full
    /// blocks, leaving at least one token to compute. Returns the number of tokens whose keys and values are now present.
    /// </summary>
    public int MatchPrefix(BlockTable table, ReadOnlySpan<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.BlockList.Count != 0) throw new InvalidOperationException("prefix matching needs an empty block table");
        int maxBlocks = (tokens.Length - 1) / BlockSize;
        ulong parent = PrefixKey.Root;
        for (int b = 0; b < maxBlocks; b++)
        {
            var key = PrefixKey.Of(parent, tokens.Slice(b * BlockSize, BlockSize));
            if (!Allocator.TryGetCached(key, out int block)) break;
            Allocator.Retain(block);
            table.BlockList.Add(block);
            table.HashList.Add(key.Hash);
            parent = key.Hash;
        }
        return table.BlockList.Count * BlockSize;
    }

    /// <summary>
    /// Makes room to write positions [<paramref name="from"/>, <paramref name="to"/>): allocates the missing blocks and
    /// copies a shared block that would be written. All or nothing: returns false (and changes nothing) when the
    /// allocator has too few blocks.
    /// </summary>
    public bool TryPrepareWrite(BlockTable table, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (from < 0 || to < from) throw new ArgumentOutOfRangeException(nameof(to), $"bad write range [{from}, {to})");
        if (to == from) return true;
        int firstBlock = from / BlockSize, lastBlock = (to - 1) / BlockSize;
        int missing = Math.Max(0, lastBlock + 1 - table.BlockList.Count);
        int copies = 0;
        for (int b = firstBlock; b < Math.Min(table.BlockList.Count, lastBlock + 1); b++)
            if (NeedsCopy(table.BlockList[b])) copies++;
        if (missing + copies > Allocator.AvailableCount) return false;

        for (int b = firstBlock; b < Math.Min(table.BlockList.Count, lastBlock + 1); b++)
        {
            int old = table.BlockList[b];
            if (!NeedsCopy(old)) continue;
            Allocator.TryAllocate(out int fresh);
            _cache?.CopyBlock(old, fresh);
            Allocator.Release(old);
            table.BlockList[b] = fresh;
            if (b < table.HashList.Count) table.HashList.RemoveRange(b, table.HashList.Count - b);
            CopyOnWrites++;
        }
        for (int i = 0; i < missing; i++)
        {
            Allocator.TryAllocate(out int block);
            table.BlockList.Add(block);
        }
        return true;
    }

    // A block that someone else also references, or that the prefix cache vouches for, must not change under them.
    private bool NeedsCopy(int block) => Allocator.RefCount(block) > 1 || Allocator.IsCached(block);

    /// <summary>Registers in the prefix cache every full block of the first <paramref name="computed"/> tokens not yet registered.</summary>
    public void CommitFullBlocks(BlockTable table, ReadOnlySpan<int> tokens, int computed)
    {
        ArgumentNullException.ThrowIfNull(table);
        int full = Math.Min(computed / BlockSize, table.BlockList.Count);
        for (int b = table.HashList.Count; b < full; b++)
        {
            ulong parent = b == 0 ? PrefixKey.Root : table.HashList[b - 1];
            var key = PrefixKey.Of(parent, tokens.Slice(b * BlockSize, BlockSize));
            Allocator.Register(table.BlockList[b], key);
            table.HashList.Add(key.Hash);
        }
    }

    /// <summary>A second table sharing every block of <paramref name="table"/> (copy-on-write on the next write to a shared block).</summary>
    public BlockTable Fork(BlockTable table) => Fork(table, table.BlockList.Count * BlockSize);

    /// <summary>A table sharing the blocks that hold the first <paramref name="tokens"/> tokens of <paramref name="table"/>.</summary>
    public BlockTable Fork(BlockTable table, int tokens)
    {
        ArgumentNullException.ThrowIfNull(table);
        int count = BlocksFor(tokens);
        if (tokens < 0 || count > table.BlockList.Count)
            throw new ArgumentOutOfRangeException(nameof(tokens), $"the table holds {table.BlockList.Count} blocks, not {tokens} tokens");
        var copy = new BlockTable();
        for (int b = 0; b < count; b++)
        {
            Allocator.Retain(table.BlockList[b]);
            copy.BlockList.Add(table.BlockList[b]);
        }
        copy.HashList.AddRange(table.HashList.Take(Math.Min(count, table.HashList.Count)));
        return copy;
    }

    /// <summary>Releases every block of the table and empties it (cached blocks stay in the prefix cache for reuse).</summary>
    public void Free(BlockTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        // Release in reverse so a sequence's later blocks are evicted before its earlier ones (a prefix is only
        // useful with all the blocks before it).
        for (int i = table.BlockList.Count - 1; i >= 0; i--) Allocator.Release(table.BlockList[i]);
        table.BlockList.Clear();
        table.HashList.Clear();
    }
}
