namespace Hearth.Core.Quants;

/// <summary>
/// Scalar reference dequantization: the definition of every storage type's numeric meaning.
/// Plain and obviously correct; fast paths are tested against it.
/// </summary>
public static class Dequant
{
    /// <summary>src (one row, whole blocks of <paramref name="type"/>) -> dst [n] F32, n = dst.Length.</summary>
    public static void Row(TensorType type, ReadOnlySpan<byte> src, Span<float> dst) =>
        throw new NotImplementedException("filled in by the quant work");
}

/// <summary>Scalar reference dot products that dequantize inside the loop (no F32 copy of the row).</summary>
public static class RowDot
{
    /// <summary>row (x.Length elements of <paramref name="type"/>) . x -> float.</summary>
    public static float Dot(TensorType type, ReadOnlySpan<byte> row, ReadOnlySpan<float> x) =>
        throw new NotImplementedException("filled in by the quant work");
}
