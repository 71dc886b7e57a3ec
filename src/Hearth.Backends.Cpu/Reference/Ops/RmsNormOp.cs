namespace Hearth.Backends.Cpu.Reference.Ops;

// x [T, n], weight [n] -> dst [T, n] = weight * (x * rsqrt(mean(x^2) + eps))
internal static class RmsNormOp
{
    public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> dst)
    {
        int width = weight.Length;
        for (int row = 0; row * width < x.Length; row++)
        {
            var xs = x.Slice(row * width, width);
            var ys = dst.Slice(row * width, width);
            // The sum is a reduction: accumulate accurately, then continue in float32 as Hugging Face does.
            double sumOfSquares = 0;
            foreach (float v in xs) sumOfSquares += (double)v * v;
            float mean = (float)(sumOfSquares / width);
            float inverseRms = 1f / MathF.Sqrt(mean + eps);
            for (int i = 0; i < width; i++) ys[i] = weight[i] * (xs[i] * inverseRms);
        }
    }
}
