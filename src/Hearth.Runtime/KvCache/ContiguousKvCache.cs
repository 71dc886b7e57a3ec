using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;

namespace Hearth.Runtime.KvCache;

/// <summary>
/// One F32 key buffer and one value buffer per layer, each [capacity, kvHeadCount * headDim],
/// allocated up front on the device.
/// </summary>
public sealed class ContiguousKvCache : IKvCache
{
    private readonly IStateBuffer[] _keys;
    private readonly IStateBuffer[] _values;
    private bool _disposed;

    public ContiguousKvCache(IComputeDevice device, int layerCount, int kvHeadCount, int headDim, int capacity)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (layerCount <= 0 || kvHeadCount <= 0 || headDim <= 0)
            throw new HearthException($"KV cache needs positive layer count, KV head count and head dim (got {layerCount}, {kvHeadCount}, {headDim})");
        if (capacity <= 0) throw new HearthException($"KV cache capacity must be positive (got {capacity})");

        var rowShape = new Shape(capacity, checked(kvHeadCount * headDim));
        _keys = new IStateBuffer[layerCount];
        _values = new IStateBuffer[layerCount];
        try
        {
            for (int layer = 0; layer < layerCount; layer++)
            {
                _keys[layer] = device.AllocateState($"blk.{layer}.k_cache", TensorType.F32, rowShape);
                _values[layer] = device.AllocateState($"blk.{layer}.v_cache", TensorType.F32, rowShape);
            }
        }
        catch
        {
            DisposeBuffers();
            throw;
        }

        LayerCount = layerCount;
        Capacity = capacity;
        Buffers = new KvCacheBuffers(_keys, _values);
    }

    /// <summary>A cache shaped for <paramref name="config"/> holding <paramref name="capacity"/> tokens.</summary>
    public static ContiguousKvCache For(IComputeDevice device, ModelConfig config, int capacity)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ContiguousKvCache(device, config.LayerCount, config.KvHeadCount, config.HeadDim, capacity);
    }

    public int LayerCount { get; }
    public int Capacity { get; }
    public int Length { get; private set; }
    public KvCacheBuffers Buffers { get; }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (Length + count > Capacity)
            throw new HearthException($"KV cache overflow: {Length} + {count} tokens exceed the capacity of {Capacity}");
        Length += count;
    }

    public void Reset() => TruncateTo(0);

    public void TruncateTo(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        // Attention only reads rows <= the query position, so stale rows are harmless; clearing
        // them keeps dumps readable and makes a bug that reads past Length show up as zeros.
        if (length < Length)
        {
            foreach (var buffer in _keys) buffer.Clear(length);
            foreach (var buffer in _values) buffer.Clear(length);
        }
        Length = length;
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
