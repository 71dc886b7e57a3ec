using System.Collections.Immutable;

namespace Hearth.Core;

/// <summary>
/// A tensor shape in row-major order, outermost dimension first, PyTorch style: a linear
/// weight is [outFeatures, inFeatures] and its last dimension is contiguous in memory.
/// (GGUF stores ne[] innermost first; the GGUF reader reverses it into this order.)
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly ImmutableArray<int> _dims;

    public Shape(params int[] dims)
    {
        foreach (var d in dims)
            if (d < 0) throw new HearthException($"negative dimension in shape [{string.Join(", ", dims)}]");
        _dims = [.. dims];
    }

    public int Rank => _dims.IsDefault ? 0 : _dims.Length;
    public int this[int axis] => _dims[axis];
    public ImmutableArray<int> Dims => _dims.IsDefault ? [] : _dims;
    public int Last => _dims[^1];

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Dims) n = checked(n * d);
            return n;
        }
    }

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);
    public override string ToString() => "[" + string.Join(", ", Dims) + "]";
}
