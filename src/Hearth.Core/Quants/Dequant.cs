namespace Hearth.Core.Quants;

/// <summary>
/// Scalar reference dequantization: the definition of every storage type's numeric meaning.
/// Plain and obviously correct; fast paths are tested against it. Per-format block math lives in
/// Dequant.Legacy.cs (Q4_0..Q8_1) and Dequant.KQuants.cs (Q2_K..Q8_K).
/// </summary>
public static partial class Dequant
{
    /// <summary>Largest block of any supported type, in elements: the scratch size for block-at-a-time loops.</summary>
    public const int MaxBlockElements = QuantBlocks.QK_K;

#pragma warning disable CA1810 // explicit static ctor on purpose: the layout check must run before any block is read
    static Dequant() => QuantBlocks.VerifyLayouts();
#pragma warning restore CA1810

    /// <summary>src (one row, whole blocks of <paramref name="type"/>) -> dst [n] F32, n = dst.Length.</summary>
    public static void Row(TensorType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        var info = CheckRow(type, src.Length, dst.Length, nameof(dst));
        switch (type)
        {
            case TensorType.F32:
                for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.ToSingle(src.Slice(4 * i, 4));
                return;
            case TensorType.F16:
                for (int i = 0; i < dst.Length; i++) dst[i] = Fp16.HalfToFloat(ReadUInt16(src, 2 * i));
                return;
            case TensorType.BF16:
                for (int i = 0; i < dst.Length; i++) dst[i] = Fp16.BF16ToFloat(ReadUInt16(src, 2 * i));
                return;
        }
        int blocks = dst.Length / info.BlockSize;
        for (int b = 0; b < blocks; b++)
            Block(type, src.Slice(b * info.BlockBytes, info.BlockBytes), dst.Slice(b * info.BlockSize, info.BlockSize));
    }

    /// <summary>Whether <see cref="Row"/> and <see cref="RowDot.Dot"/> understand <paramref name="type"/>.</summary>
    public static bool Supports(TensorType type) => type switch
    {
        TensorType.F32 or TensorType.F16 or TensorType.BF16 => true,
        _ => QuantBlocks.BlockTypes.Contains(type),
    };

    /// <summary>One block: src [BlockBytes] -> dst [BlockSize]. Lengths are already checked.</summary>
    internal static void Block(TensorType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (type)
        {
            case TensorType.Q4_0: Q4_0(src, dst); break;
            case TensorType.Q4_1: Q4_1(src, dst); break;
            case TensorType.Q5_0: Q5_0(src, dst); break;
            case TensorType.Q5_1: Q5_1(src, dst); break;
            case TensorType.Q8_0: Q8_0(src, dst); break;
            case TensorType.Q8_1: Q8_1(src, dst); break;
            case TensorType.Q2_K: Q2_K(src, dst); break;
            case TensorType.Q3_K: Q3_K(src, dst); break;
            case TensorType.Q4_K: Q4_K(src, dst); break;
            case TensorType.Q5_K: Q5_K(src, dst); break;
            case TensorType.Q6_K: Q6_K(src, dst); break;
            case TensorType.Q8_K: Q8_K(src, dst); break;
            default: throw Unsupported(type);
        }
    }

    /// <summary>
    /// Validates a row: the type is supported, <paramref name="elements"/> is a whole number of blocks
    /// and <paramref name="srcBytes"/> is exactly the bytes of that many blocks.
    /// </summary>
    internal static TensorTypeInfo CheckRow(TensorType type, int srcBytes, int elements, string elementsName)
    {
        if (!Supports(type)) throw Unsupported(type);
        var info = TensorTypes.Info(type);
        if (elements % info.BlockSize != 0)
            throw new ArgumentException($"{elementsName} has {elements} elements, not a multiple of the {info.Name} block size {info.BlockSize}", elementsName);
        long expectedBytes = (long)(elements / info.BlockSize) * info.BlockBytes;
        if (srcBytes != expectedBytes)
            throw new ArgumentException($"a {info.Name} row of {elements} elements takes {expectedBytes} bytes, got {srcBytes}");
        return info;
    }

    internal static ushort ReadUInt16(ReadOnlySpan<byte> src, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(offset, 2));

    private static HearthException Unsupported(TensorType type) =>
        new($"dequantization of tensor type {(TensorTypes.IsKnown(type) ? TensorTypes.Info(type).Name : ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture))} is not supported");
}
