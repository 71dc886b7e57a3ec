using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// One legacy-quant weight row (blocks of 32) times up to four quantized activation rows per pass: each block is
/// unpacked once and multiplied with every token's 8-bit block by integer dot products, then scaled by d_w * d_x.
/// The offset part (d * (u - 8), or + m) uses the activation block sums: c * d_x * sum(q_x).
/// </summary>
internal static unsafe class LegacyDots
{
    // row [blocks * 32] (storage type) . x[t] for t in [t0, t0 + tokens) -> dst[(t - t0) * dstStride]
    public static void Row<TBlock>(byte* row, int blocks, QuantizedActivations x, int t0, int tokens, float* dst, int dstStride)
        where TBlock : struct, ILegacyBlock
    {
        var ones = Vector256.Create((short)1);
        for (int g = 0; g < tokens; g += 4)
        {
            int n = Math.Min(4, tokens - g);
            int t = t0 + g;
            sbyte* q0 = x.Qs(t), q1 = n > 1 ? x.Qs(t + 1) : q0, q2 = n > 2 ? x.Qs(t + 2) : q0, q3 = n > 3 ? x.Qs(t + 3) : q0;
            float* d0 = x.Scales(t), d1 = n > 1 ? x.Scales(t + 1) : d0, d2 = n > 2 ? x.Scales(t + 2) : d0, d3 = n > 3 ? x.Scales(t + 3) : d0;
            float* s0 = x.Sums(t), s1 = n > 1 ? x.Sums(t + 1) : s0, s2 = n > 2 ? x.Sums(t + 2) : s0, s3 = n > 3 ? x.Sums(t + 3) : s0;
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            float o0 = 0, o1 = 0, o2 = 0, o3 = 0;
            for (int b = 0; b < blocks; b++)
            {
                var u = TBlock.Unpack(row + (long)b * TBlock.BlockBytes, out float d, out float offset);
                int at = b * 32;
                a0 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Dot<TBlock>(u, q0 + at, ones)), Vector256.Create(d * d0[b]), a0);
                o0 += offset * s0[b];
                if (n > 1)
                {
                    a1 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Dot<TBlock>(u, q1 + at, ones)), Vector256.Create(d * d1[b]), a1);
                    o1 += offset * s1[b];
                }
                if (n > 2)
                {
                    a2 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Dot<TBlock>(u, q2 + at, ones)), Vector256.Create(d * d2[b]), a2);
                    o2 += offset * s2[b];
                }
                if (n > 3)
                {
                    a3 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(Dot<TBlock>(u, q3 + at, ones)), Vector256.Create(d * d3[b]), a3);
                    o3 += offset * s3[b];
                }
            }
            float* out0 = dst + (long)g * dstStride;
            out0[0] = Vector256.Sum(a0) + o0;
            if (n > 1) out0[dstStride] = Vector256.Sum(a1) + o1;
            if (n > 2) out0[2L * dstStride] = Vector256.Sum(a2) + o2;
            if (n > 3) out0[3L * dstStride] = Vector256.Sum(a3) + o3;
        }
    }

    private static Vector256<int> Dot<TBlock>(Vector256<byte> u, sbyte* x, Vector256<short> ones) where TBlock : struct, ILegacyBlock =>
        TBlock.Signed ? IntDot.Signed(u.AsSByte(), x) : IntDot.Unsigned(u, x, ones);
}
