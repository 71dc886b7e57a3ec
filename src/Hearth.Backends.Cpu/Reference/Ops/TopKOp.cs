namespace Hearth.Backends.Cpu.Reference.Ops;

// x [R, n] -> dst [R, 2k + 2]: per row the k largest values (descending, lower index first on ties, NaN as -inf), their
// indices as floats, the maximum and log(sum(exp(x - max))) (0 when the maximum is not finite). Shared by the fast
// backend: it runs once per step on a few rows, nothing to gain from SIMD.
internal static class TopKOp
{
    public static void Run(ReadOnlySpan<float> x, int rows, int n, int k, Span<float> dst)
    {
        Span<float> values = stackalloc float[k];  // k <= TopKParams.MaxK
        Span<int> indices = stackalloc int[k];
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * n, n);
            int count = 0;
            for (int i = 0; i < n; i++)
            {
                float v = float.IsNaN(row[i]) ? float.NegativeInfinity : row[i];
                // Indices arrive in increasing order, so an equal value never displaces an earlier one.
                if (count == k && !(v > values[k - 1])) continue;
                int at = count < k ? count++ : k - 1;
                while (at > 0 && v > values[at - 1])
                {
                    values[at] = values[at - 1];
                    indices[at] = indices[at - 1];
                    at--;
                }
                values[at] = v;
                indices[at] = i;
            }
            var o = dst.Slice(r * (2 * k + 2), 2 * k + 2);
            for (int j = 0; j < k; j++)
            {
                o[j] = values[j];
                o[k + j] = indices[j];
            }
            float max = values[0];
            double sum = 0;
            if (float.IsFinite(max))
                foreach (float v in row)
                    if (!float.IsNaN(v)) sum += Math.Exp((double)v - max);
            o[2 * k] = max;
            o[2 * k + 1] = float.IsFinite(max) ? (float)Math.Log(sum) : 0f;
        }
    }
}
