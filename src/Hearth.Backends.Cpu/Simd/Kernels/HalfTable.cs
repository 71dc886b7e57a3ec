using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hearth.Core.Quants;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// f16 -> f32 for block scales (a 256 KiB lookup table: .NET's scalar Half conversion is software) and for
/// whole vectors (bit arithmetic; .NET exposes no F16C intrinsic).
/// </summary>
internal static unsafe class HalfTable
{
    private static readonly Pinned<float> Table = Build();

    private static Pinned<float> Build()
    {
        var table = new Pinned<float>(65536);
        for (int i = 0; i < 65536; i++) table.Array[i] = Fp16.HalfToFloat((ushort)i);
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort bits) => Table.Pointer[bits];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(byte* halfBits) => Table.Pointer[*(ushort*)halfBits];

    /// <summary>8 f16 values (bits) -> 8 floats, exact for all values including subnormals, infinities and NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToFloat(Vector128<ushort> bits)
    {
        var h = Vector256.Create(Vector128.WidenLower(bits), Vector128.WidenUpper(bits));
        var sign = (h & Vector256.Create(0x8000u)) << 16;
        var exponentMantissa = (h & Vector256.Create(0x7FFFu)) << 13;
        // Shifting puts the f16 exponent (bias 15) into the f32 exponent field; multiplying by 2^112 rebiases
        // to 127 and also normalises subnormals correctly.
        var scaled = exponentMantissa.AsSingle() * Vector256.Create(0x77800000u).AsSingle();
        var isInfOrNaN = Vector256.Equals(h & Vector256.Create(0x7C00u), Vector256.Create(0x7C00u));
        var special = (exponentMantissa | Vector256.Create(0x7F800000u)).AsSingle();
        return (Vector256.ConditionalSelect(isInfOrNaN.AsSingle(), special, scaled).AsUInt32() | sign).AsSingle();
    }

    /// <summary>8 bf16 values (bits) -> 8 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> BF16ToFloat(Vector128<ushort> bits) =>
        (Vector256.Create(Vector128.WidenLower(bits), Vector128.WidenUpper(bits)) << 16).AsSingle();
}
