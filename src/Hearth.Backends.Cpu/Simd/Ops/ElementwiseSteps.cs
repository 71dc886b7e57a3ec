using System.Runtime.Intrinsics;
using Hearth.Backends.Cpu.Simd.Kernels;

namespace Hearth.Backends.Cpu.Simd.Ops;

// a [T, n] (+ or *) b [T, n] or b [n] broadcast over rows -> dst [T, n]
internal sealed unsafe class BinaryStep(float* a, float* b, int count, int bCount, bool multiply, float* dst) : Step
{
    public override void Run()
    {
        for (int start = 0; start < count; start += bCount)
        {
            float* bRow = bCount == count ? b + start : b;
            float* aRow = a + start, dRow = dst + start;
            int n = Math.Min(bCount, count - start);
            int i = 0;
            if (multiply)
            {
                for (; i + 8 <= n; i += 8) (Vector256.Load(aRow + i) * Vector256.Load(bRow + i)).Store(dRow + i);
                for (; i < n; i++) dRow[i] = aRow[i] * bRow[i];
            }
            else
            {
                for (; i + 8 <= n; i += 8) (Vector256.Load(aRow + i) + Vector256.Load(bRow + i)).Store(dRow + i);
                for (; i < n; i++) dRow[i] = aRow[i] + bRow[i];
            }
        }
    }
}

// x * scale -> dst
internal sealed unsafe class ScaleStep(float* x, int count, float scale, float* dst) : Step
{
    public override void Run()
    {
        var s = Vector256.Create(scale);
        int i = 0;
        for (; i + 8 <= count; i += 8) (Vector256.Load(x + i) * s).Store(dst + i);
        for (; i < count; i++) dst[i] = x[i] * scale;
    }
}

// gate [T, n], up [T, n] -> dst = gate * sigmoid(gate) * up
internal sealed unsafe class SiluMulStep(float* gate, float* up, int count, float* dst) : Step
{
    public override void Run()
    {
        var one = Vector256.Create(1f);
        int i = 0;
        for (; i + 8 <= count; i += 8)
        {
            var g = Vector256.Load(gate + i);
            (g / (one + FastExp.Exp(-g)) * Vector256.Load(up + i)).Store(dst + i);
        }
        for (; i < count; i++)
        {
            float g = gate[i];
            dst[i] = g / (1f + FastExp.Exp(-g)) * up[i];
        }
    }
}

// x [T, n] -> dst [count, n] = last rows
internal sealed unsafe class TakeLastRowsStep(float* x, int totalFloats, int keptFloats, float* dst) : Step
{
    public override void Run() =>
        new ReadOnlySpan<float>(x + totalFloats - keptFloats, keptFloats).CopyTo(new Span<float>(dst, keptFloats));
}

// x [T, n], rows [R] -> dst [R, n] = x[rows[r]]
internal sealed unsafe class GatherRowsStep(string name, float* x, int available, int width, int* rows, int count, float* dst) : Step
{
    public override void Run()
    {
        for (int r = 0; r < count; r++)
        {
            int row = rows[r];
            if (row < 0 || row >= available)
                throw new Hearth.Core.HearthException($"graph node '{name}': row index {row} at {r} is outside [0, {available})");
            new ReadOnlySpan<float>(x + (long)row * width, width).CopyTo(new Span<float>(dst + (long)r * width, width));
        }
    }
}

// x [T, n], weight [n] -> dst = weight * (x / sqrt(mean(x^2) + eps))
internal sealed unsafe class RmsNormStep(float* x, float* weight, int rows, int width, float eps, float* dst) : Step
{
    public override void Run()
    {
        for (int r = 0; r < rows; r++)
        {
            float* xs = x + (long)r * width, ys = dst + (long)r * width;
            var acc = Vector256<float>.Zero;
            int i = 0;
            for (; i + 8 <= width; i += 8)
            {
                var v = Vector256.Load(xs + i);
                acc = Vector256.FusedMultiplyAdd(v, v, acc);
            }
            double sum = Vector256.Sum(acc);
            for (; i < width; i++) sum += (double)xs[i] * xs[i];
            float inverseRms = 1f / MathF.Sqrt((float)(sum / width) + eps);
            var scale = Vector256.Create(inverseRms);
            i = 0;
            for (; i + 8 <= width; i += 8) (Vector256.Load(weight + i) * (Vector256.Load(xs + i) * scale)).Store(ys + i);
            for (; i < width; i++) ys[i] = weight[i] * (xs[i] * inverseRms);
        }
    }
}

// x [R, n] -> dst [R, 2k + 2]: the reference's top-k (a few rows once per step).
internal sealed unsafe class TopKStep(float* x, int rows, int n, int k, float* dst) : Step
{
    public override void Run() =>
        Reference.Ops.TopKOp.Run(new ReadOnlySpan<float>(x, rows * n), rows, n, k, new Span<float>(dst, rows * (2 * k + 2)));
}
