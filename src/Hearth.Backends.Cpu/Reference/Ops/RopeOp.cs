using Hearth.Compute;

namespace Hearth.Backends.Cpu.Reference.Ops;

// x [T, heads * headDim], positions [T], invFreq [headDim / 2] -> dst [T, heads * headDim], each pair rotated by positions[t] * invFreq[i]
internal static class RopeOp
{
    public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<int> positions, ReadOnlySpan<float> invFreq, RopeParams p, Span<float> dst)
    {
        int width = p.HeadCount * p.HeadDim;
        int half = p.HeadDim / 2;
        for (int t = 0; t < positions.Length; t++)
        {
            for (int h = 0; h < p.HeadCount; h++)
            {
                int head = t * width + h * p.HeadDim;
                for (int i = 0; i < half; i++)
                {
                    // Mirror PyTorch: the angle is a float32 product, cos/sin in float32.
                    float angle = positions[t] * invFreq[i];
                    float cos = MathF.Cos(angle);
                    float sin = MathF.Sin(angle);
                    // Interleaved pairs (2i, 2i+1); NeoX pairs (i, i + headDim/2).
                    int first = p.Mode == RopeMode.Interleaved ? head + 2 * i : head + i;
                    int second = p.Mode == RopeMode.Interleaved ? first + 1 : first + half;
                    float a = x[first];
                    float b = x[second];
                    dst[first] = a * cos - b * sin;
                    dst[second] = a * sin + b * cos;
                }
            }
        }
    }
}
