using Hearth.Core;

namespace Hearth.Compute;

/// <summary>
/// The argument rules of <see cref="IStateBuffer"/>, shared by every backend so that a bad call gets the same
/// message everywhere. A state buffer's shape is [capacity, width].
/// </summary>
public static class StateBufferChecks
{
    /// <summary>Throws unless <paramref name="shape"/> is [capacity, width] with both positive.</summary>
    public static void Shape(string name, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (shape.Rank != 2 || shape[0] <= 0 || shape[1] <= 0)
            throw new HearthException($"state buffer '{name}': shape must be [capacity, width] with both positive, got {shape}");
    }

    /// <summary>For <see cref="IStateBuffer.Clear"/>: <paramref name="fromRow"/> in [0, capacity].</summary>
    public static void Clear(IStateBuffer buffer, int fromRow)
    {
        int capacity = buffer.Shape[0];
        if (fromRow < 0 || fromRow > capacity)
            throw new HearthException($"state buffer '{buffer.Name}': cannot clear from row {fromRow}, capacity is {capacity}");
    }

    /// <summary>For <see cref="IStateBuffer.ReadRows"/>; returns the number of floats the rows hold.</summary>
    public static int ReadRows(IStateBuffer buffer, int fromRow, int count, int destinationLength)
    {
        int capacity = buffer.Shape[0], width = buffer.Shape[1];
        if (fromRow < 0 || count < 0 || fromRow > capacity - count)
            throw new HearthException($"state buffer '{buffer.Name}': rows [{fromRow}, {fromRow + (long)count}) are outside [0, {capacity})");
        int needed = count * width;
        if (destinationLength < needed)
            throw new HearthException($"state buffer '{buffer.Name}': destination holds {destinationLength} floats, {count} rows need {needed}");
        return needed;
    }

    /// <summary>For <see cref="IStateBuffer.CopyRows"/>; returns false when there is nothing to copy (no rows,
    /// or a range copied onto itself). Distinct ranges must not overlap.</summary>
    public static bool CopyRows(IStateBuffer buffer, int srcRow, int dstRow, int count)
    {
        int capacity = buffer.Shape[0];
        if (count < 0 || srcRow < 0 || dstRow < 0 || srcRow > capacity - count || dstRow > capacity - count)
            throw new HearthException($"state buffer '{buffer.Name}': cannot copy {count} rows from {srcRow} to {dstRow}, capacity is {capacity}");
        if (count == 0 || srcRow == dstRow) return false;
        if (Math.Abs(srcRow - dstRow) < count)
            throw new HearthException($"state buffer '{buffer.Name}': row ranges [{srcRow}, {srcRow + count}) and [{dstRow}, {dstRow + count}) overlap");
        return true;
    }
}
