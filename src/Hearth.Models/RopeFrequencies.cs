using Hearth.Core;

namespace Hearth.Models;

/// <summary>
/// RoPE inverse frequencies, with rope scaling folded in so the Rope op only needs
/// angle = position * invFreq[i]. Computed in double so the only rounding is the final
/// store to float.
/// </summary>
public static class RopeFrequencies
{
    /// <summary>
    /// inv_freq [headDim / 2]: 1 / theta^(2i / headDim), then scaled by <paramref name="scaling"/>;
    /// <paramref name="freqFactors"/> (GGUF rope_freqs.weight, [headDim / 2]) divides each frequency.
    /// </summary>
    public static float[] Compute(int headDim, double theta, RopeScaling? scaling, ReadOnlySpan<float> freqFactors = default)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new HearthException($"RoPE head dimension must be a positive even number, is {headDim}");
        int half = headDim / 2;
        if (!freqFactors.IsEmpty && freqFactors.Length != half)
            throw new HearthException($"rope_freqs has {freqFactors.Length} values, expected headDim / 2 = {half}");

        var result = new float[half];
        for (int i = 0; i < half; i++)
        {
            double invFreq = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            invFreq = scaling?.Type switch
            {
                RopeScalingType.Linear => invFreq / scaling.Factor,
                RopeScalingType.Llama3 => Llama3(invFreq, scaling),
                _ => invFreq,
            };
            if (!freqFactors.IsEmpty) invFreq /= freqFactors[i];
            result[i] = (float)invFreq;
        }
        return result;
    }

    // Hugging Face's _compute_llama3_parameters: long wavelengths are slowed by the factor, short
    // ones are kept, and the band between is interpolated smoothly.
    private static double Llama3(double invFreq, RopeScaling s)
    {
        double factor = s.Factor;
        double lowFreqWavelen = s.OriginalContextLength / (double)s.LowFreqFactor;
        double highFreqWavelen = s.OriginalContextLength / (double)s.HighFreqFactor;
        double wavelen = 2 * Math.PI / invFreq;
        if (wavelen > lowFreqWavelen) return invFreq / factor;
        if (wavelen < highFreqWavelen) return invFreq;
        double smooth = (s.OriginalContextLength / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        return (1 - smooth) * invFreq / factor + smooth * invFreq;
    }
}
