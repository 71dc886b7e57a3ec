using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// acc + (for each of the 8 int32 lanes) the sum of 4 products u[4l + i] * x[4l + i], u unsigned bytes and x signed:
/// what AVX-VNNI's vpdpbusd does in one instruction. Every implementation returns the same exact integers (no
/// saturation), so results do not depend on which one the machine picks. The kernels are generic over this, and
/// <see cref="InterleavedWeights"/> picks one per weight type when it repacks.
/// </summary>
internal interface IByteDot
{
    /// <summary>What the dot subtracts from every u first: it adds the sums of (u - Bias) x (0 for all but <see cref="Avx2SignedByteDot"/>).</summary>
    static abstract int Bias { get; }

    static abstract Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x);
}

/// <summary>AVX-VNNI vpdpbusd (Zen 4+, Alder Lake+).</summary>
internal struct VnniByteDot : IByteDot
{
    public static bool IsSupported => AvxVnni.IsSupported;
    public static int Bias => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x) => AvxVnni.MultiplyWideningAndAdd(acc, u, x);
}

/// <summary>
/// AVX2 vpmaddubsw + vpmaddwd. Exact only while a pair u0 x0 + u1 x1 fits int16: u at most 129 with |x| &lt;= 127
/// (4- and 5-bit weights; not Q8_0's u = q + 128).
/// </summary>
internal struct Avx2SmallByteDot : IByteDot
{
    public const int MaxU = 129;
    public static int Bias => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, x), Vector256.Create((short)1)));
}

/// <summary>
/// AVX2 for bytes that are 8-bit signed quants plus 128 (Q8_0's u = q + 128): adds the sums of (u - 128) x = q x with
/// the sign trick, vpmaddubsw(|q|, sign(x, q)), exact because |q| &lt;= 128 and |x| &lt;= 127 keep a pair within int16.
/// Half the work of the exact wide path; the caller's offset correction drops the 128 (<see cref="Bias"/>).
/// </summary>
internal struct Avx2SignedByteDot : IByteDot
{
    public static int Bias => 128;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)
    {
        var q = (u ^ Vector256.Create((byte)0x80)).AsSByte();
        var products = Avx2.MultiplyAddAdjacent(Avx2.Abs(q), Avx2.Sign(x, q));
        return Avx2.Add(acc, Avx2.MultiplyAddAdjacent(products, Vector256.Create((short)1)));
    }
}

/// <summary>AVX2, exact for any u: even and odd bytes widened to int16 and multiplied pairwise by vpmaddwd.</summary>
internal struct Avx2WideByteDot : IByteDot
{
    public static int Bias => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)
    {
        var (uEven, uOdd, xEven, xOdd) = BytePairs.Widen(u, x);
        return Avx2.Add(acc, Avx2.Add(Avx2.MultiplyAddAdjacent(uEven, xEven), Avx2.MultiplyAddAdjacent(uOdd, xOdd)));
    }
}

/// <summary>
/// Arm DotProd sdot (ARMv8.2+: Apple M, Graviton 2+, Cortex-A76+ such as the Raspberry Pi 5) on each 128-bit half, for
/// u at most 127 (every type but Q8_0), which sdot reads as signed bytes. Exact: 4 products of at most 127 * 128 per lane.
/// </summary>
internal struct NeonDotSmallByteDot : IByteDot
{
    public const int MaxU = 127;
    public static bool IsSupported => Dp.IsSupported;
    public static int Bias => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x) => Vector256.Create(
        Dp.DotProduct(acc.GetLower(), u.GetLower().AsSByte(), x.GetLower()),
        Dp.DotProduct(acc.GetUpper(), u.GetUpper().AsSByte(), x.GetUpper()));
}

/// <summary>Arm DotProd sdot on u - 128 (Q8_0's u = q + 128 gives back q); the offset correction drops the 128 (<see cref="Bias"/>).</summary>
internal struct NeonDotSignedByteDot : IByteDot
{
    public static int Bias => 128;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)
    {
        var q = (u ^ Vector256.Create((byte)0x80)).AsSByte();
        return Vector256.Create(Dp.DotProduct(acc.GetLower(), q.GetLower(), x.GetLower()), Dp.DotProduct(acc.GetUpper(), q.GetUpper(), x.GetUpper()));
    }
}

/// <summary>
/// Arm NEON without DotProd (Cortex-A72 such as the Raspberry Pi 4): smull / smull2 to int16 products, saddlp to pairs,
/// addp to groups of 4. For u at most 127 (read as signed); exact, a product fits int16.
/// </summary>
internal struct NeonSmallByteDot : IByteDot
{
    public const int MaxU = 127;
    public static int Bias => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x) => Vector256.Create(
        acc.GetLower() + NeonBytes.Quads(u.GetLower().AsSByte(), x.GetLower()),
        acc.GetUpper() + NeonBytes.Quads(u.GetUpper().AsSByte(), x.GetUpper()));
}

/// <summary>Arm NEON without DotProd on u - 128 (Q8_0), as <see cref="NeonDotSignedByteDot"/>.</summary>
internal struct NeonSignedByteDot : IByteDot
{
    public static int Bias => 128;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)
    {
        var q = (u ^ Vector256.Create((byte)0x80)).AsSByte();
        return Vector256.Create(acc.GetLower() + NeonBytes.Quads(q.GetLower(), x.GetLower()), acc.GetUpper() + NeonBytes.Quads(q.GetUpper(), x.GetUpper()));
    }
}

internal static class NeonBytes
{
    /// <summary>The 4 sums of 4 adjacent products a[i] * b[i] (each product within int16: not both -128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Quads(Vector128<sbyte> a, Vector128<sbyte> b)
    {
        var pairsLow = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningLower(a.GetLower(), b.GetLower()));
        var pairsHigh = AdvSimd.AddPairwiseWidening(AdvSimd.MultiplyWideningUpper(a, b));
        return AdvSimd.Arm64.AddPairwise(pairsLow, pairsHigh);
    }
}

internal static class BytePairs
{
    /// <summary>The even and odd bytes of u (zero-extended) and x (sign-extended) as int16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<short> UEven, Vector256<short> UOdd, Vector256<short> XEven, Vector256<short> XOdd) Widen(Vector256<byte> u, Vector256<sbyte> x)
    {
        var u16 = u.AsInt16();
        var x16 = x.AsInt16();
        return (u16 & Vector256.Create((short)0x00FF), Vector256.ShiftRightLogical(u16, 8),
            Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(x16, 8), 8), Vector256.ShiftRightArithmetic(x16, 8));
    }
}

/// <summary>Portable Vector256 widening (machines without AVX2).</summary>
internal struct PortableByteDot : IByteDot
{
    public static int Bias => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> x)
    {
        var (uEven, uOdd, xEven, xOdd) = BytePairs.Widen(u, x);
        // u x reaches 255 * 127: widen to int32 before multiplying.
        var lo = Vector256.WidenLower(uEven) * Vector256.WidenLower(xEven) + Vector256.WidenLower(uOdd) * Vector256.WidenLower(xOdd);
        var hi = Vector256.WidenUpper(uEven) * Vector256.WidenUpper(xEven) + Vector256.WidenUpper(uOdd) * Vector256.WidenUpper(xOdd);
        // lo holds int32 sums for int16 lanes 0..7 (byte pairs 0..15), hi for lanes 8..15; adjacent lanes form one group of 4.
        var pairs = Vector256.Create(
            lo.GetElement(0) + lo.GetElement(1), lo.GetElement(2) + lo.GetElement(3), lo.GetElement(4) + lo.GetElement(5), lo.GetElement(6) + lo.GetElement(7),
            hi.GetElement(0) + hi.GetElement(1), hi.GetElement(2) + hi.GetElement(3), hi.GetElement(4) + hi.GetElement(5), hi.GetElement(6) + hi.GetElement(7));
        return acc + pairs;
    }
}
