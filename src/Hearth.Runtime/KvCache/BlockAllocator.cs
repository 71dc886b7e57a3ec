using Hearth.Core;

namespace Hearth.Runtime.KvCache;

/// <summary>
/// Hands out KV blocks by id and counts references to them. A block is in one of three states:
/// used (reference count &gt; 0), cached (count 0 but it holds a full block of a known token prefix: kept for reuse
/// by the prefix cache, evicted least recently released first when free blocks run out), or free.
/// The prefix cache maps a <see cref="PrefixKey"/> (hash chain over the token ids up to and including the block) to
/// the block that holds those tokens' keys and values. Not thread-safe: the engine's step thread owns it.
/// </summary>
public sealed class BlockAllocator
{
    private readonly int[] _refCounts;
    private readonly PrefixKey?[] _keyOf;                          // by block: the prefix it caches, if any
    private readonly Stack<int> _free = new();
    private readonly LinkedList<int> _evictable = new();           // cached blocks with count 0, least recently released first
    private readonly LinkedListNode<int>?[] _evictableNode;
    private readonly Dictionary<PrefixKey, int> _cache = [];

    public BlockAllocator(int blockCount)
    {
        if (blockCount <= 0) throw new HearthException($"the KV cache needs at least one block (got {blockCount})");
        BlockCount = blockCount;
        _refCounts = new int[blockCount];
        _keyOf = new PrefixKey?[blockCount];
        _evictableNode = new LinkedListNode<int>?[blockCount];
        for (int b = blockCount - 1; b >= 0; b--) _free.Push(b);
    }

    public int BlockCount { get; }

    /// <summary>Blocks a new allocation can take: free ones plus cached ones nobody uses.</summary>
    public int AvailableCount => _free.Count + _evictable.Count;

    /// <summary>Blocks referenced by at least one sequence.</summary>
    public int UsedCount => BlockCount - AvailableCount;

    /// <summary>Blocks held only by the prefix cache (reusable, evictable).</summary>
    public int CachedCount => _evictable.Count;

    public int FreeCount => _free.Count;

    /// <summary>Blocks in the prefix cache, used or not.</summary>
    public int CachedPrefixCount => _cache.Count;

    public long Evictions { get; private set; }

    public int RefCount(int block) => _refCounts[Check(block)];

    /// <summary>Takes a block (reference count 1): a free one, else the least recently used cached one.</summary>
    public bool TryAllocate(out int block)
    {
        if (_free.Count > 0)
        {
            block = _free.Pop();
        }
        else if (_evictable.First is { } oldest)
        {
            block = oldest.Value;
            _evictable.RemoveFirst();
            _evictableNode[block] = null;
            _cache.Remove(_keyOf[block]!.Value);
            _keyOf[block] = null;
            Evictions++;
        }
        else
        {
            block = -1;
            return false;
        }
        _refCounts[block] = 1;
        return true;
    }

    /// <summary>One more reference (a sequence sharing the block, or a prefix-cache hit reviving it).</summary>
    public void Retain(int block)
    {
        Check(block);
        if (_refCounts[block] == 0)
        {
            if (_evictableNode[block] is not { } node) throw new InvalidOperationException($"KV block {block} is free, not cached: it cannot be retained");
            _evictable.Remove(node);
            _evictableNode[block] = null;
        }
        _refCounts[block]++;
    }

    /// <summary>Drops a reference; at zero the block goes to the evictable cache (if it holds a cached prefix) or the free list.</summary>
    public void Release(int block)
    {
        Check(block);
        if (_refCounts[block] <= 0) throw new InvalidOperationException($"KV block {block} released more often than taken");
        if (--_refCounts[block] > 0) return;
        if (_keyOf[block] is not null) _evictableNode[block] = _evictable.AddLast(block);
        else _free.Push(block);
    }

    /// <summary>The cached block holding exactly this prefix, if any (the caller retains it to use it).</summary>
    public bool TryGetCached(PrefixKey key, out int block) => _cache.TryGetValue(key, out block);

    /// <summary>Records that <paramref name="block"/> (in use) holds the full block of tokens <paramref name="key"/> names.
    /// Returns false when another block already caches that prefix (this one then stays private).</summary>
    public bool Register(int block, PrefixKey key)
    {
        Check(block);
        if (_refCounts[block] <= 0) throw new InvalidOperationException($"KV block {block} is not in use");
        if (_keyOf[block] is not null || _cache.ContainsKey(key)) return false;
        _cache[key] = block;
        _keyOf[block] = key;
        return true;
    }

    /// <summary>Whether the block holds a cached prefix (and so must never be written again).</summary>
    public bool IsCached(int block) => _keyOf[Check(block)] is not null;

    private int Check(int block) =>
        (uint)block < (uint)BlockCount ? block : throw new ArgumentOutOfRangeException(nameof(block), block, $"KV block ids are 0..{BlockCount - 1}");
}

/// <summary>
/// Identity of a full block of tokens in the prefix cache: a 64-bit hash chained over every token id from the start of
/// the sequence to the end of this block, plus the block's own token ids (compared on lookup, so a hash collision can
/// never hand out the wrong keys and values) and the parent's hash.
/// </summary>
public readonly struct PrefixKey : IEquatable<PrefixKey>
{
    private readonly int[] _tokens;

    private PrefixKey(ulong hash, ulong parent, int[] tokens)
    {
        Hash = hash;
        Parent = parent;
        _tokens = tokens;
    }

    public ulong Hash { get; }
    public ulong Parent { get; }

    /// <summary>Hash chain seed of the first block.</summary>
    public const ulong Root = 0xcbf29ce484222325UL;

    /// <summary>The key of the block holding <paramref name="tokens"/> after the prefix whose chain hash is <paramref name="parent"/>.</summary>
    public static PrefixKey Of(ulong parent, ReadOnlySpan<int> tokens)
    {
        ulong h = parent ^ 0x9e3779b97f4a7c15UL;
        foreach (int t in tokens)
        {
            h ^= (uint)t;
            h *= 0x100000001b3UL;
            h ^= h >> 29;
        }
        h ^= (ulong)tokens.Length * 0xbf58476d1ce4e5b9UL;
        return new PrefixKey(h, parent, tokens.ToArray());
    }

    public bool Equals(PrefixKey other) =>
        Hash == other.Hash && Parent == other.Parent && _tokens.AsSpan().SequenceEqual(other._tokens);

    public override bool Equals(object? obj) => obj is PrefixKey other && Equals(other);

    public override int GetHashCode() => (int)(Hash ^ (Hash >> 32));

    public static bool operator ==(PrefixKey left, PrefixKey right) => left.Equals(right);

    public static bool operator !=(PrefixKey left, PrefixKey right) => !left.Equals(right);
}
