using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// The activation rows x [T, in] quantized once per matmul to 8 bits, as llama.cpp does, so quantized weights
/// are multiplied with integer dot products. Two granularities share the buffers:
/// blocks of 32 (Q8_0-like: scale d, and s = d * sum(q) for the weight formats with an offset) for the legacy
/// formats, and super-blocks of 256 (Q8_K-like: scale d, plus sums of q per 16) for the K-quants.
/// Buffers are sized once at compile for the largest matmul and reused.
/// </summary>
internal sealed unsafe class QuantizedActivations
{
    private readonly Pinned<sbyte> _qs;     // [T * in] quantized values
    private readonly Pinned<float> _scales; // [T * in / 32] (or / 256): d per block
    private readonly Pinned<float> _sums;   // [T * in / 32]: d * sum(q) per block (legacy only)
    private readonly Pinned<int> _bsums;    // [T * in / 16]: sum(q) per 16 (K-quants; Q6_K's halves in the interleaved kernel)
    private readonly Pinned<int> _isums;    // [T * in / 32]: sum(q) per block (legacy only; the interleaved kernels' integer offsets)

    public QuantizedActivations(long maxElements)
    {
        _qs = new Pinned<sbyte>(maxElements);
        _scales = new Pinned<float>(maxElements / 32 + 1);
        _sums = new Pinned<float>(maxElements / 32 + 1);
        _bsums = new Pinned<int>(maxElements / 16 + 1);
        _isums = new Pinned<int>(maxElements / 32 + 1);
    }

    public int Width { get; private set; }
    public int BlockSize { get; private set; }

    public sbyte* Qs(int token) => _qs.Pointer + (long)token * Width;
    public float* Scales(int token) => _scales.Pointer + (long)token * (Width / BlockSize);
    public float* Sums(int token) => _sums.Pointer + (long)token * (Width / BlockSize);
    public int* BSums(int token) => _bsums.Pointer + (long)token * (Width / 16);
    public int* ISums(int token) => _isums.Pointer + (long)token * (Width / BlockSize);

    /// <summary>x [tokens, width] -> 8-bit blocks of <paramref name="blockSize"/> (32 or 256); width is a multiple of it.</summary>
    public void Quantize(float* x, int tokens, int width, int blockSize)
    {
        Prepare(width, blockSize, sums16: true);
        QuantizeRows(x, 0, tokens);
    }

    /// <summary>Sets the layout for the next <see cref="QuantizeRows"/> calls (which may then run in parallel).</summary>
    public void Prepare(int width, int blockSize, bool sums16 = false)
    {
        Width = width;
        BlockSize = blockSize;
        _sums16 = sums16 || blockSize == 256;
    }

    private bool _sums16;

    /// <summary>Rows [t0, t1) of x [tokens, Width] (rows are independent, so workers may take disjoint ranges).</summary>
    public void QuantizeRows(float* x, int t0, int t1)
    {
        int width = Width, blockSize = BlockSize;
        for (int t = t0; t < t1; t++)
        {
            float* row = x + (long)t * width;
            sbyte* qs = Qs(t);
            float* scales = Scales(t);
            for (int b = 0; b < width / blockSize; b++)
            {
                float* src = row + b * blockSize;
                float amax = AbsMax(src, blockSize);
                float d = amax / 127f;
                float inverse = d != 0 ? 1f / d : 0f;
                int sum = QuantizeBlock(src, blockSize, inverse, qs + b * blockSize);
                scales[b] = d;
                if (blockSize == 32)
                {
                    Sums(t)[b] = d * sum;
                    ISums(t)[b] = sum;
                }
            }
            // Sums per 16 (the K-quant kernels, and Q6_K's halves in the interleaved kernel).
            if (_sums16)
            {
                int* bsums = BSums(t);
                for (int g = 0; g < width / 16; g++)
                {
                    int s = 0;
                    for (int i = 0; i < 16; i++) s += qs[g * 16 + i];
                    bsums[g] = s;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float AbsMax(float* src, int count)
    {
        var max = Vector256<float>.Zero;
        for (int i = 0; i < count; i += 8) max = Vector256.Max(max, Vector256.Abs(Vector256.Load(src + i)));
        float m = 0;
        for (int i = 0; i < 8; i++) m = MathF.Max(m, max.GetElement(i));
        return m;
    }

    // src [count] * inverse, rounded to nearest (ties away, as llama.cpp's roundf) -> dst [count]; returns sum of q
    private static int QuantizeBlock(float* src, int count, float inverse, sbyte* dst)
    {
        var scale = Vector256.Create(inverse);
        var total = Vector256<int>.Zero;
        for (int i = 0; i < count; i += 32)
        {
            var a = Vector256.ConvertToInt32(Round(Vector256.Load(src + i) * scale));
            var b = Vector256.ConvertToInt32(Round(Vector256.Load(src + i + 8) * scale));
            var c = Vector256.ConvertToInt32(Round(Vector256.Load(src + i + 16) * scale));
            var d = Vector256.ConvertToInt32(Round(Vector256.Load(src + i + 24) * scale));
            total += a + b + c + d;
            Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d)).Store(dst + i);
        }
        return Vector256.Sum(total);
    }

    // Round half away from zero: trunc(x + copysign(0.5 - ulp, x)) would differ only at exact ties; use x + 0.5*sign then truncate.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Round(Vector256<float> x) =>
        Vector256.Truncate(x + Vector256.CopySign(Vector256.Create(0.5f), x));
}
