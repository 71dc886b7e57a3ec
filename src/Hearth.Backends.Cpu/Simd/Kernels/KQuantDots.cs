using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// One K-quant weight row times the Q8_K-like activations of up to four tokens per pass: each super-block is
/// unpacked once, then per token sum(scale * sum(u * q_x)) by integer dot products and sum(min * bsum) from the
/// activation sums per 16, scaled by d_x.
/// </summary>
internal static unsafe class KQuantDots
{
    // row [blocks * 256] (storage type) . x[t] for t in [t0, t0 + tokens) -> dst[(t - t0) * dstStride]
    public static void Row<TBlock>(byte* row, int blocks, QuantizedActivations x, int t0, int tokens, float* dst, int dstStride)
        where TBlock : struct, IKBlock
    {
        var u = stackalloc Vector256<byte>[8];
        var scaleVectors = stackalloc Vector256<short>[8];
        short* scales = stackalloc short[16];
        int* mins = stackalloc int[16];
        float* sums = stackalloc float[4];
        for (int g = 0; g < tokens; g += 4)
        {
            int n = Math.Min(4, tokens - g);
            for (int k = 0; k < n; k++) sums[k] = 0;
            for (int b = 0; b < blocks; b++)
            {
                TBlock.Unpack(row + (long)b * TBlock.BlockBytes, u, scales, mins, out float dA, out float dB);
                for (int c = 0; c < 8; c++)
                    scaleVectors[c] = Vector256.Create(Vector128.Create(scales[2 * c]), Vector128.Create(scales[2 * c + 1]));
                for (int k = 0; k < n; k++)
                {
                    int t = t0 + g + k;
                    sbyte* q = x.Qs(t) + b * 256;
                    var acc = IntDot.Unsigned(u[0], q, scaleVectors[0]);
                    for (int c = 1; c < 8; c++) acc += IntDot.Unsigned(u[c], q + 32 * c, scaleVectors[c]);
                    int* bsums = x.BSums(t) + b * 16;
                    int minSum = 0;
                    for (int s = 0; s < 16; s++) minSum += mins[s] * bsums[s];
                    sums[k] += x.Scales(t)[b] * (dA * Vector256.Sum(acc) - dB * minSum);
                }
            }
            for (int k = 0; k < n; k++) dst[(long)(g + k) * dstStride] = sums[k];
        }
    }
}
