using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;

namespace Hearth.Runtime.KvCache;

/// <summary>
/// The device memory of a paged KV cache: per layer one key and one value pool of <see cref="BlockCount"/> blocks of
/// <see cref="BlockSize"/> rows ([BlockCount * BlockSize, kvHeads * headDim], F32 or F16). Which sequence owns which block is
/// the <see cref="BlockAllocator"/>'s business; this class only holds the buffers and copies blocks (copy-on-write).
/// </summary>
public sealed class PagedKvCache : IDisposable
{
    private readonly IStateBuffer[] _keys;
    private readonly IStateBuffer[] _values;
    private bool _disposed;

    public PagedKvCache(IComputeDevice device, ModelConfig config, int blockCount, int blockSize, TensorType type = TensorType.F32)
    {
        if (type is not (TensorType.F32 or TensorType.F16)) throw new HearthException($"KV cache type must be F32 or F16 (got {TensorTypes.Info(type).Name})");
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(config);
        if (blockCount <= 0) throw new HearthException($"the KV cache needs at least one block (got {blockCount})");
        if (blockSize <= 0) throw new HearthException($"KV block size must be positive (got {blockSize})");
        long rows = (long)blockCount * blockSize;
        int width = checked(config.KvHeadCount * config.HeadDim);
        if (rows * width > Array.MaxLength)
            throw new HearthException($"KV cache of {blockCount} blocks of {blockSize} tokens x {width} values is too large for one buffer per layer; use a smaller budget");
        var shape = new Shape((int)rows, width);
        _keys = new IStateBuffer[config.LayerCount];
        _values = new IStateBuffer[config.LayerCount];
        try
        {
            for (int layer = 0; layer < config.LayerCount; layer++)
            {
                _keys[layer] = device.AllocateState($"blk.{layer}.k_cache", type, shape);
                _values[layer] = device.AllocateState($"blk.{layer}.v_cache", type, shape);
            }
        }
        catch
        {
            DisposeBuffers();
            throw;
        }
        BlockCount = blockCount;
        BlockSize = blockSize;
        Type = type;
        Bytes = BytesFor(config, blockCount, blockSize, type);
        Buffers = new KvCacheBuffers(_keys, _values);
    }

    public int BlockCount { get; }
    public int BlockSize { get; }
    public TensorType Type { get; }
    /// <summary>Device bytes of all pools.</summary>
    public long Bytes { get; }
    public KvCacheBuffers Buffers { get; }

    /// <summary>Bytes one block takes over all layers, keys and values.</summary>
    public static long BytesPerBlock(ModelConfig config, int blockSize, TensorType type = TensorType.F32)
    {
        ArgumentNullException.ThrowIfNull(config);
        return 2L * config.LayerCount * blockSize * config.KvHeadCount * config.HeadDim * (type == TensorType.F16 ? 2 : 4);
    }

    public static long BytesFor(ModelConfig config, int blockCount, int blockSize, TensorType type = TensorType.F32) =>
        BytesPerBlock(config, blockSize, type) * blockCount;

    /// <summary>Copies block <paramref name="source"/> onto <paramref name="destination"/> in every layer (copy-on-write).</summary>
    public void CopyBlock(int source, int destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var buffer in _keys) buffer.CopyRows(source * BlockSize, destination * BlockSize, BlockSize);
        foreach (var buffer in _values) buffer.CopyRows(source * BlockSize, destination * BlockSize, BlockSize);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DisposeBuffers();
    }

    private void DisposeBuffers()
    {
        foreach (var buffer in _keys) buffer?.Dispose();
        foreach (var buffer in _values) buffer?.Dispose();
    }
}
