namespace Hearth.Runtime.KvCache;

/// <summary>
/// The KV blocks of one sequence in order: logical position p lives in row p % BlockSize of block Blocks[p / BlockSize].
/// <see cref="ChainHashes"/> holds the prefix hash chain of the leading full blocks already registered in the
/// prefix cache (or found there). Owned by a <see cref="KvBlockManager"/>, which keeps the reference counts right.
/// </summary>
public sealed class BlockTable
{
    internal readonly List<int> BlockList = [];
    internal readonly List<ulong> HashList = [];

    public IReadOnlyList<int> Blocks => BlockList;

    /// <summary>Chain hashes of the first <c>ChainHashes.Count</c> blocks (those known to the prefix cache).</summary>
    public IReadOnlyList<ulong> ChainHashes => HashList;

    /// <summary>Tokens the blocks can hold.</summary>
    public int CapacityTokens(int blockSize) => BlockList.Count * blockSize;

    /// <summary>Cache row of logical position <paramref name="position"/>.</summary>
    public int Slot(int position, int blockSize) => BlockList[position / blockSize] * blockSize + position % blockSize;

    /// <summary>Writes the table into <paramref name="destination"/>, padding with block 0 (never read: attention
    /// stops at the query's position).</summary>
    public void CopyTo(Span<int> destination)
    {
        int n = Math.Min(BlockList.Count, destination.Length);
        for (int i = 0; i < n; i++) destination[i] = BlockList[i];
        destination[n..].Clear();
    }
}
