namespace Hearth.Core;

/// <summary>
/// Element / block storage types. Numeric values are the GGML type ids used by GGUF, so a
/// value read from a GGUF tensor info can be cast directly (unknown ids are rejected by the reader).
/// </summary>
public enum TensorType
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    BF16 = 30,
}

/// <summary>Block geometry of a storage type: a row of n elements takes n / BlockSize blocks of BlockBytes each.</summary>
public readonly record struct TensorTypeInfo(TensorType Type, string Name, int BlockSize, int BlockBytes, bool IsQuantized);

public static class TensorTypes
{
    private static readonly Dictionary<TensorType, TensorTypeInfo> Table = new()
    {
        [TensorType.F32] = new(TensorType.F32, "F32", 1, 4, false),
        [TensorType.F16] = new(TensorType.F16, "F16", 1, 2, false),
        [TensorType.BF16] = new(TensorType.BF16, "BF16", 1, 2, false),
        [TensorType.F64] = new(TensorType.F64, "F64", 1, 8, false),
        [TensorType.I8] = new(TensorType.I8, "I8", 1, 1, false),
        [TensorType.I16] = new(TensorType.I16, "I16", 1, 2, false),
        [TensorType.I32] = new(TensorType.I32, "I32", 1, 4, false),
        [TensorType.I64] = new(TensorType.I64, "I64", 1, 8, false),
        [TensorType.Q4_0] = new(TensorType.Q4_0, "Q4_0", 32, 18, true),
        [TensorType.Q4_1] = new(TensorType.Q4_1, "Q4_1", 32, 20, true),
        [TensorType.Q5_0] = new(TensorType.Q5_0, "Q5_0", 32, 22, true),
        [TensorType.Q5_1] = new(TensorType.Q5_1, "Q5_1", 32, 24, true),
        [TensorType.Q8_0] = new(TensorType.Q8_0, "Q8_0", 32, 34, true),
        [TensorType.Q8_1] = new(TensorType.Q8_1, "Q8_1", 32, 36, true),
        [TensorType.Q2_K] = new(TensorType.Q2_K, "Q2_K", 256, 84, true),
        [TensorType.Q3_K] = new(TensorType.Q3_K, "Q3_K", 256, 110, true),
        [TensorType.Q4_K] = new(TensorType.Q4_K, "Q4_K", 256, 144, true),
        [TensorType.Q5_K] = new(TensorType.Q5_K, "Q5_K", 256, 176, true),
        [TensorType.Q6_K] = new(TensorType.Q6_K, "Q6_K", 256, 210, true),
        [TensorType.Q8_K] = new(TensorType.Q8_K, "Q8_K", 256, 292, true),
    };

    public static bool IsKnown(TensorType type) => Table.ContainsKey(type);

    public static IEnumerable<TensorTypeInfo> All => Table.Values;

    public static TensorTypeInfo Info(TensorType type) =>
        Table.TryGetValue(type, out var info) ? info : throw new HearthException($"unknown tensor type id {(int)type}");

    public static bool TryParse(string name, out TensorType type)
    {
        foreach (var info in Table.Values)
        {
            if (string.Equals(info.Name, name, StringComparison.OrdinalIgnoreCase)) { type = info.Type; return true; }
        }
        type = default;
        return false;
    }

    /// <summary>Bytes of one row of <paramref name="elements"/> elements; throws if the row is not a whole number of blocks.</summary>
    public static long RowBytes(TensorType type, long elements)
    {
        var info = Info(type);
        if (elements % info.BlockSize != 0)
            throw new HearthException($"a row of {elements} elements is not a multiple of the {info.Name} block size {info.BlockSize}");
        return elements / info.BlockSize * info.BlockBytes;
    }

    /// <summary>Total bytes of a tensor with the given shape (row-major, last dim contiguous).</summary>
    public static long TensorBytes(TensorType type, Shape shape)
    {
        if (shape.Rank == 0) return RowBytes(type, 1);
        long rows = 1;
        for (int i = 0; i < shape.Rank - 1; i++) rows = checked(rows * shape[i]);
        return checked(rows * RowBytes(type, shape[shape.Rank - 1]));
    }
}
