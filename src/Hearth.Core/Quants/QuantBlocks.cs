namespace Hearth.Core.Quants;

/// <summary>
/// Constants shared by the block formats and the one place that ties each quantized
/// <see cref="TensorType"/> to its block struct, with a check that the struct sizes match the
/// GGUF block sizes in <see cref="TensorTypes"/>.
/// </summary>
public static unsafe class QuantBlocks
{
    /// <summary>Elements in a K-quant super-block.</summary>
    public const int QK_K = 256;
    /// <summary>Bytes of packed 6-bit scales and mins in Q4_K / Q5_K.</summary>
    public const int K_SCALE_SIZE = 12;

    /// <summary>The quantized types that have a block struct here (all GGML block formats Hearth reads).</summary>
    public static IReadOnlyList<TensorType> BlockTypes { get; } =
    [
        TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0, TensorType.Q5_1, TensorType.Q8_0, TensorType.Q8_1,
        TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K, TensorType.Q8_K,
    ];

    /// <summary>sizeof of the block struct for a quantized type; throws for types without a block struct.</summary>
    public static int StructSize(TensorType type) => type switch
    {
        TensorType.Q4_0 => sizeof(BlockQ4_0),
        TensorType.Q4_1 => sizeof(BlockQ4_1),
        TensorType.Q5_0 => sizeof(BlockQ5_0),
        TensorType.Q5_1 => sizeof(BlockQ5_1),
        TensorType.Q8_0 => sizeof(BlockQ8_0),
        TensorType.Q8_1 => sizeof(BlockQ8_1),
        TensorType.Q2_K => sizeof(BlockQ2_K),
        TensorType.Q3_K => sizeof(BlockQ3_K),
        TensorType.Q4_K => sizeof(BlockQ4_K),
        TensorType.Q5_K => sizeof(BlockQ5_K),
        TensorType.Q6_K => sizeof(BlockQ6_K),
        TensorType.Q8_K => sizeof(BlockQ8_K),
        _ => throw new HearthException($"tensor type {TensorTypes.Info(type).Name} has no quant block struct"),
    };

    /// <summary>
    /// Throws if any block struct's size disagrees with <see cref="TensorTypes"/>.
    /// C# cannot assert sizeof of a struct at compile time, so Dequant runs this once (RowDot goes
    /// through Dequant) in its static constructor: a layout mistake fails on first use instead of reading garbage.
    /// </summary>
    public static void VerifyLayouts()
    {
        foreach (var type in BlockTypes)
        {
            var info = TensorTypes.Info(type);
            int size = StructSize(type);
            if (size != info.BlockBytes)
                throw new InvalidOperationException($"block struct for {info.Name} is {size} bytes, GGUF says {info.BlockBytes}");
        }
    }
}
