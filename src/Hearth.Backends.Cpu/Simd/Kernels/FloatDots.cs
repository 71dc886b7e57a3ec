using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// One weight row in F32, F16 or BF16 times up to four activation rows at once: each 8-element piece of the
/// row is loaded and widened once and used for every token (the tiling that makes prefill read weights once).
/// Vector256 with fused multiply-add; portable (the JIT emulates Vector256 where AVX is missing).
/// </summary>
internal static unsafe class FloatDots
{
    public const int TokenGroup = 4;

    // row [width] (F32 bits) . x[t] [width] for t in [0, tokens) -> dst[t * dstStride]
    public static void F32(byte* row, int width, float* x, int xStride, int tokens, float* dst, int dstStride)
    {
        var w = (float*)row;
        for (int t0 = 0; t0 < tokens; t0 += TokenGroup)
        {
            int n = Math.Min(TokenGroup, tokens - t0);
            float* x0 = x + (long)t0 * xStride;
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            int i = 0;
            for (; i + 8 <= width; i += 8)
            {
                var wv = Vector256.Load(w + i);
                a0 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + i), a0);
                if (n > 1) a1 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + xStride + i), a1);
                if (n > 2) a2 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + 2 * xStride + i), a2);
                if (n > 3) a3 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + 3 * xStride + i), a3);
            }
            Finish(a0, a1, a2, a3, n, i, width, w, x0, xStride, dst + (long)t0 * dstStride, dstStride);
        }
    }

    // row [width] (F16 bits) . x[t] -> dst[t * dstStride]
    public static void F16(byte* row, int width, float* x, int xStride, int tokens, float* dst, int dstStride)
    {
        var h = (ushort*)row;
        float* tail = stackalloc float[8];
        for (int t0 = 0; t0 < tokens; t0 += TokenGroup)
        {
            int n = Math.Min(TokenGroup, tokens - t0);
            float* x0 = x + (long)t0 * xStride;
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            int i = 0;
            for (; i + 8 <= width; i += 8)
            {
                var wv = HalfTable.ToFloat(Vector128.Load(h + i));
                a0 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + i), a0);
                if (n > 1) a1 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + xStride + i), a1);
                if (n > 2) a2 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + 2 * xStride + i), a2);
                if (n > 3) a3 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + 3 * xStride + i), a3);
            }
            for (int k = i; k < width; k++) tail[k - i] = HalfTable.ToFloat(h[k]);
            Finish(a0, a1, a2, a3, n, 0, width - i, tail, x0 + i, xStride, dst + (long)t0 * dstStride, dstStride);
        }
    }

    // row [width] (BF16 bits) . x[t] -> dst[t * dstStride]
    public static void BF16(byte* row, int width, float* x, int xStride, int tokens, float* dst, int dstStride)
    {
        var h = (ushort*)row;
        float* tail = stackalloc float[8];
        for (int t0 = 0; t0 < tokens; t0 += TokenGroup)
        {
            int n = Math.Min(TokenGroup, tokens - t0);
            float* x0 = x + (long)t0 * xStride;
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            int i = 0;
            for (; i + 8 <= width; i += 8)
            {
                var wv = HalfTable.BF16ToFloat(Vector128.Load(h + i));
                a0 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + i), a0);
                if (n > 1) a1 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + xStride + i), a1);
                if (n > 2) a2 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + 2 * xStride + i), a2);
                if (n > 3) a3 = Vector256.FusedMultiplyAdd(wv, Vector256.Load(x0 + 3 * xStride + i), a3);
            }
            for (int k = i; k < width; k++) tail[k - i] = BitConverter.UInt32BitsToSingle((uint)h[k] << 16);
            Finish(a0, a1, a2, a3, n, 0, width - i, tail, x0 + i, xStride, dst + (long)t0 * dstStride, dstStride);
        }
    }

    // Reduces the accumulators, adds the scalar tail w[from..to) . x[t][from..to), stores n results.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, int n,
        int from, int to, float* w, float* x0, int xStride, float* dst, int dstStride)
    {
        for (int k = 0; k < n; k++)
        {
            var acc = k switch { 0 => a0, 1 => a1, 2 => a2, _ => a3 };
            float sum = Vector256.Sum(acc);
            float* xk = x0 + (long)k * xStride;
            for (int i = from; i < to; i++) sum += w[i] * xk[i];
            dst[(long)k * dstStride] = sum;
        }
    }

    /// <summary>Dot of two float vectors (attention scores).</summary>
    public static float Dot(float* a, float* b, int count)
    {
        var acc = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= count; i += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
        float sum = Vector256.Sum(acc);
        for (; i < count; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Dot of floats with f16 bits (attention over an F16 cache).</summary>
    public static float DotHalf(float* a, ushort* b, int count)
    {
        var acc = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= count; i += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), HalfTable.ToFloat(Vector128.Load(b + i)), acc);
        float sum = Vector256.Sum(acc);
        for (; i < count; i++) sum += a[i] * HalfTable.ToFloat(b[i]);
        return sum;
    }

    /// <summary>acc += weight * v.</summary>
    public static void Axpy(float weight, float* v, float* acc, int count)
    {
        var wv = Vector256.Create(weight);
        int i = 0;
        for (; i + 8 <= count; i += 8) Vector256.FusedMultiplyAdd(wv, Vector256.Load(v + i), Vector256.Load(acc + i)).Store(acc + i);
        for (; i < count; i++) acc[i] += weight * v[i];
    }

    /// <summary>acc += weight * v (v as f16 bits).</summary>
    public static void AxpyHalf(float weight, ushort* v, float* acc, int count)
    {
        var wv = Vector256.Create(weight);
        int i = 0;
        for (; i + 8 <= count; i += 8) Vector256.FusedMultiplyAdd(wv, HalfTable.ToFloat(Vector128.Load(v + i)), Vector256.Load(acc + i)).Store(acc + i);
        for (; i < count; i++) acc[i] += weight * HalfTable.ToFloat(v[i]);
    }
}
