namespace Hearth.Quantization.Quants;

/// <summary>
/// The scale (and min) searches behind the K-quants, after ggml's make_qx_quants (symmetric, weighted
/// least squares over a few candidate scales), make_q3_quants (symmetric, coordinate descent on the
/// quants) and make_qkx2_quants (affine scale + min, weighted least squares over candidate scales).
/// Each returns the scale and writes the chosen integer levels into <c>levels</c>.
/// </summary>
internal static class ScaleSearch
{
    /// <summary>Below this magnitude a group is treated as all zeros (ggml's GROUP_MAX_EPS).</summary>
    public const float GroupMaxEps = 1e-15f;

    /// <summary>
    /// Symmetric levels in [0, 2 * nmax) (value = scale * (level - nmax)), weights x^2: tries 19
    /// scales around -nmax / max and keeps the one with the best weighted least-squares fit.
    /// x [n] -> levels [n]; returns the scale.
    /// </summary>
    public static float SymmetricBestOf(ReadOnlySpan<float> x, int nmax, Span<byte> levels)
    {
        float max = SignedMax(x, out float amax);
        if (amax < GroupMaxEps)
        {
            levels.Clear();
            return 0;
        }
        float iscale = -nmax / max;
        Fit(x, nmax, iscale, levels, out float sumlx, out float suml2);
        float scale = suml2 != 0 ? sumlx / suml2 : 0;
        float best = scale * sumlx;
        Span<byte> trial = stackalloc byte[levels.Length];
        for (int step = -9; step <= 9; step++)
        {
            if (step == 0) continue;
            iscale = -(nmax + 0.1f * step) / max;
            Fit(x, nmax, iscale, trial, out sumlx, out suml2);
            if (suml2 > 0 && sumlx * sumlx > best * suml2)
            {
                trial.CopyTo(levels);
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    // levels = clamp(round(iscale * x), -nmax, nmax - 1) + nmax; sums of w*x*l and w*l*l with w = x^2.
    private static void Fit(ReadOnlySpan<float> x, int nmax, float iscale, Span<byte> levels, out float sumlx, out float suml2)
    {
        sumlx = 0;
        suml2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int l = Math.Clamp(Quantize.NearestInt(iscale * x[i]), -nmax, nmax - 1);
            levels[i] = (byte)(l + nmax);
            float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
    }

    /// <summary>
    /// Symmetric levels in [0, 2 * nmax) for Q3_K: start from round(-nmax / max * x), then up to 5
    /// passes move single levels to the value that improves the weighted (x^2) fit.
    /// x [n] -> levels [n]; returns the scale.
    /// </summary>
    public static float SymmetricDescent(ReadOnlySpan<float> x, int nmax, Span<byte> levels)
    {
        float max = SignedMax(x, out float amax);
        if (amax < GroupMaxEps)
        {
            levels.Clear();
            return 0;
        }
        float iscale = -nmax / max;
        Span<int> l = stackalloc int[x.Length];
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            l[i] = Math.Clamp(Quantize.NearestInt(iscale * x[i]), -nmax, nmax - 1);
            float w = x[i] * x[i];
            sumlx += w * x[i] * l[i];
            suml2 += w * l[i] * l[i];
        }
        for (int pass = 0; pass < 5; pass++)
        {
            int changed = 0;
            for (int i = 0; i < x.Length; i++)
            {
                float w = x[i] * x[i];
                float slx = sumlx - w * x[i] * l[i];
                if (slx <= 0) continue;
                float sl2 = suml2 - w * l[i] * l[i];
                int candidate = Math.Clamp(Quantize.NearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
                if (candidate == l[i]) continue;
                slx += w * x[i] * candidate;
                sl2 += w * candidate * candidate;
                if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2)
                {
                    l[i] = candidate;
                    sumlx = slx;
                    suml2 = sl2;
                    changed++;
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < x.Length; i++) levels[i] = (byte)(l[i] + nmax);
        return suml2 > 0 ? sumlx / suml2 : 0;
    }

    /// <summary>
    /// Affine levels in [0, nmax] (value = scale * level - minOut): starts from the min/max grid, then
    /// tries <paramref name="steps"/> + 1 scales (nmax + rmin + rdelta * k) / (max - min), each with its
    /// weighted least-squares scale and min (min clamped to &lt;= 0), keeping the best weighted error
    /// (squared, or absolute with <paramref name="useAbsoluteError"/>).
    /// x [n], weights [n] -> levels [n]; returns the scale, minOut = -min (&gt;= 0).
    /// </summary>
    public static float AffineBestOf(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, int nmax, Span<byte> levels,
        float rmin, float rdelta, int steps, bool useAbsoluteError, out float minOut)
    {
        float min = x[0], max = x[0];
        float sumW = 0, sumX = 0;
        for (int i = 0; i < x.Length; i++)
        {
            min = MathF.Min(min, x[i]);
            max = MathF.Max(max, x[i]);
            sumW += weights[i];
            sumX += weights[i] * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            levels.Clear();
            minOut = -min;
            return 0;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int l = Math.Clamp(Quantize.NearestInt(iscale * (x[i] - min)), 0, nmax);
            levels[i] = (byte)l;
            bestError += weights[i] * Error(scale * l + min - x[i], useAbsoluteError);
        }

        Span<byte> trial = stackalloc byte[x.Length];
        for (int step = 0; step <= steps; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < x.Length; i++)
            {
                int l = Math.Clamp(Quantize.NearestInt(iscale * (x[i] - min)), 0, nmax);
                trial[i] = (byte)l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det <= 0) continue;
            float thisScale = (sumW * sumXL - sumX * sumL) / det;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
            if (thisMin > 0)
            {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float error = 0;
            for (int i = 0; i < x.Length; i++) error += weights[i] * Error(thisScale * trial[i] + thisMin - x[i], useAbsoluteError);
            if (error < bestError)
            {
                trial.CopyTo(levels);
                bestError = error;
                scale = thisScale;
                min = thisMin;
            }
        }
        minOut = -min;
        return scale;
    }

    private static float Error(float diff, bool absolute) => absolute ? MathF.Abs(diff) : diff * diff;

    // The first element of largest magnitude, with its sign.
    private static float SignedMax(ReadOnlySpan<float> x, out float amax)
    {
        float max = 0;
        amax = 0;
        foreach (float v in x)
        {
            if (MathF.Abs(v) > amax)
            {
                amax = MathF.Abs(v);
                max = v;
            }
        }
        return max;
    }
}
