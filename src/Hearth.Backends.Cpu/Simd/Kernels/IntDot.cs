using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// 32 weight quants times 32 activation bytes, summed in int32. AVX2 uses vpmaddubsw (u8 x s8 pairs to s16) and
/// vpmaddwd (s16 x s16 pairs to s32, here also applying per-16 sub-block scales); elsewhere the same sums come from
/// portable Vector256 widening (chosen by the JIT once, as Avx2.IsSupported is a constant).
/// </summary>
internal static unsafe class IntDot
{
    /// <summary>sum over 32 of u[i] * x[i] * (i &lt; 16 ? scales[0] : scales[8]); u at most 63 (vpmaddubsw must not saturate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Unsigned(Vector256<byte> u, sbyte* x, Vector256<short> scales)
    {
        var xv = Vector256.Load(x);
        if (Avx2.IsSupported) return Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, xv), scales);
        var lo = Vector256.WidenLower(u).AsInt16() * Vector256.WidenLower(xv);  // elements 0..15
        var hi = Vector256.WidenUpper(u).AsInt16() * Vector256.WidenUpper(xv);  // elements 16..31
        return (Vector256.WidenLower(lo) + Vector256.WidenUpper(lo)) * Vector256.Create((int)scales.GetElement(0))
            + (Vector256.WidenLower(hi) + Vector256.WidenUpper(hi)) * Vector256.Create((int)scales.GetElement(8));
    }

    /// <summary>sum over 32 of w[i] * x[i] for signed weights (Q8_0): AVX2 moves w's sign onto x so vpmaddubsw sees |w|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Signed(Vector256<sbyte> w, sbyte* x)
    {
        var xv = Vector256.Load(x);
        if (Avx2.IsSupported)
        {
            var products = Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(xv, w));
            return Avx2.MultiplyAddAdjacent(products, Vector256.Create((short)1));
        }
        var lo = Vector256.WidenLower(w) * Vector256.WidenLower(xv);
        var hi = Vector256.WidenUpper(w) * Vector256.WidenUpper(xv);
        return Vector256.WidenLower(lo) + Vector256.WidenUpper(lo) + Vector256.WidenLower(hi) + Vector256.WidenUpper(hi);
    }
}
