using System.Buffers.Binary;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Quantization.Quants;

/// <summary>
/// Scalar reference quantization: the offline inverse of <see cref="Dequant"/>, following ggml's
/// reference algorithms (quantize_row_*_ref) so files read as users of llama.cpp expect.
/// Legacy blocks in Quantize.Legacy.cs, K-quants in Quantize.KQuants.cs, their scale searches in ScaleSearch.cs.
/// </summary>
public static partial class Quantize
{
    /// <summary>Storage types <see cref="Row"/> can produce.</summary>
    public static IReadOnlyList<TensorType> Targets { get; } =
    [
        TensorType.F32, TensorType.F16, TensorType.BF16,
        TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0, TensorType.Q5_1, TensorType.Q8_0,
        TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
    ];

    public static bool Supports(TensorType type) => Targets.Contains(type);

    /// <summary>src [n] F32 -> dst (one row of n elements of <paramref name="type"/>, whole blocks).</summary>
    public static void Row(TensorType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (!Supports(type)) throw new HearthException($"quantization to {TensorTypes.Info(type).Name} is not supported");
        var info = TensorTypes.Info(type);
        if (src.Length % info.BlockSize != 0)
            throw new ArgumentException($"a {info.Name} row needs a multiple of {info.BlockSize} elements, got {src.Length}", nameof(src));
        long bytes = (long)(src.Length / info.BlockSize) * info.BlockBytes;
        if (dst.Length != bytes) throw new ArgumentException($"a {info.Name} row of {src.Length} elements takes {bytes} bytes, got {dst.Length}", nameof(dst));

        switch (type)
        {
            case TensorType.F32:
                for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst.Slice(4 * i, 4), src[i]);
                return;
            case TensorType.F16:
                for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(2 * i, 2), Fp16.FloatToHalf(src[i]));
                return;
            case TensorType.BF16:
                for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(2 * i, 2), Fp16.FloatToBF16(src[i]));
                return;
        }
        int blocks = src.Length / info.BlockSize;
        for (int b = 0; b < blocks; b++)
        {
            var x = src.Slice(b * info.BlockSize, info.BlockSize);
            var y = dst.Slice(b * info.BlockBytes, info.BlockBytes);
            y.Clear();
            switch (type)
            {
                case TensorType.Q4_0: Q4_0(x, y); break;
                case TensorType.Q4_1: Q4_1(x, y); break;
                case TensorType.Q5_0: Q5_0(x, y); break;
                case TensorType.Q5_1: Q5_1(x, y); break;
                case TensorType.Q8_0: Q8_0(x, y); break;
                case TensorType.Q2_K: Q2_K(x, y); break;
                case TensorType.Q3_K: Q3_K(x, y); break;
                case TensorType.Q4_K: Q4_K(x, y); break;
                case TensorType.Q5_K: Q5_K(x, y); break;
                case TensorType.Q6_K: Q6_K(x, y); break;
            }
        }
    }

    /// <summary>Writes f16 bits of <paramref name="value"/> and returns the f16 value as float (what Dequant will read).</summary>
    private static float WriteHalf(Span<byte> dst, int offset, float value)
    {
        ushort bits = Fp16.FloatToHalf(value);
        BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(offset, 2), bits);
        return Fp16.HalfToFloat(bits);
    }

    /// <summary>Round half to even, as ggml's nearest_int (the 1.5 * 2^23 trick) for |x| &lt; 2^22.</summary>
    internal static int NearestInt(float x) => (int)MathF.Round(x, MidpointRounding.ToEven);
}
