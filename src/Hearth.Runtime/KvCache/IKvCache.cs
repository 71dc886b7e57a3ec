using Hearth.Models;

namespace Hearth.Runtime.KvCache;

/// <summary>
/// The key/value cache of one sequence: per layer, rows [0, Length) hold the keys and values of
/// the tokens seen so far. The step graph writes rows at the token positions it is given.
/// </summary>
public interface IKvCache : IDisposable
{
    int LayerCount { get; }

    /// <summary>Maximum number of tokens (rows) the cache can hold.</summary>
    int Capacity { get; }

    /// <summary>Number of tokens whose keys and values are in the cache.</summary>
    int Length { get; }

    /// <summary>Buffers the step graph reads and writes.</summary>
    KvCacheBuffers Buffers { get; }

    /// <summary>Records that a step wrote <paramref name="count"/> more rows after <see cref="Length"/>.</summary>
    void Advance(int count);

    /// <summary>Forgets every token.</summary>
    void Reset();

    /// <summary>Forgets the tokens at positions &gt;= <paramref name="length"/>.</summary>
    void TruncateTo(int length);
}
