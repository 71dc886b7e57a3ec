namespace Hearth.Core.Quants;

/// <summary>Scalar reference dot products that dequantize inside the loop (no F32 copy of the row).</summary>
public static class RowDot
{
    /// <summary>row (x.Length elements of <paramref name="type"/>) . x [n] -> float, accumulated in float in element order.</summary>
    public static float Dot(TensorType type, ReadOnlySpan<byte> row, ReadOnlySpan<float> x)
    {
        var info = Dequant.CheckRow(type, row.Length, x.Length, nameof(x));
        float sum = 0f;
        switch (type)
        {
            case TensorType.F32:
                for (int i = 0; i < x.Length; i++) sum += BitConverter.ToSingle(row.Slice(4 * i, 4)) * x[i];
                return sum;
            case TensorType.F16:
                for (int i = 0; i < x.Length; i++) sum += Fp16.HalfToFloat(Dequant.ReadUInt16(row, 2 * i)) * x[i];
                return sum;
            case TensorType.BF16:
                for (int i = 0; i < x.Length; i++) sum += Fp16.BF16ToFloat(Dequant.ReadUInt16(row, 2 * i)) * x[i];
                return sum;
        }
        // One block of scratch, reused: the row is never expanded to F32 as a whole.
        Span<float> block = stackalloc float[Dequant.MaxBlockElements];
        block = block[..info.BlockSize];
        int blocks = x.Length / info.BlockSize;
        for (int b = 0; b < blocks; b++)
        {
            Dequant.Block(type, row.Slice(b * info.BlockBytes, info.BlockBytes), block);
            var xBlock = x.Slice(b * info.BlockSize, info.BlockSize);
            for (int i = 0; i < block.Length; i++) sum += block[i] * xBlock[i];
        }
        return sum;
    }
}
