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

    /// <summary>
    /// 8 f16 values at <paramref name="halves"/> -> 8 floats in four operations, exact for every finite value
    /// (subnormals included); infinities and NaN come out as large finite numbers, so callers check their data first.
    /// The sign-extended half shifted left by 13 holds the sign in bit 31 (and copies in 30..28, masked off) and the
    /// exponent and mantissa in 27..13; multiplying by 2^112 rebiases the exponent from 15 to 127.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FiniteToFloat(ushort* halves)
    {
        var widened = System.Runtime.Intrinsics.X86.Avx2.IsSupported
            ? System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int32((short*)halves)
            : Vector256.Create(Vector128.WidenLower(Vector128.Load((short*)halves)), Vector128.WidenUpper(Vector128.Load((short*)halves)));
        var bits = Vector256.ShiftLeft(widened, 13) & Vector256.Create(unchecked((int)0x8FFFE000));
        return bits.AsSingle() * Vector256.Create(0x77800000).AsSingle();
    }

    /// <summary>8 bf16 values (bits) -> 8 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> BF16ToFloat(Vector128<ushort> bits) =>
        (Vector256.Create(Vector128.WidenLower(bits), Vector128.WidenUpper(bits)) << 16).AsSingle();
}
