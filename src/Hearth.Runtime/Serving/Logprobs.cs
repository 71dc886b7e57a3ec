namespace Hearth.Runtime.Serving;

/// <summary>Log-probabilities from raw logits (before temperature or penalties): log-softmax, as OpenAI's logprobs.</summary>
public static class Logprobs
{
    /// <summary>log p(id) for every id is logits[id] - LogSumExp(logits).</summary>
    public static double LogSumExp(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) if (v > max) max = v;
        if (float.IsNegativeInfinity(max)) return max;
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>The <paramref name="count"/> most likely tokens with their log-probabilities, most likely first (lowest id on ties).</summary>
    public static TokenLogprob[] Top(ReadOnlySpan<float> logits, int count, double logSumExp)
    {
        count = Math.Min(count, logits.Length);
        if (count <= 0) return [];
        var ids = new int[count];
        int filled = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            if (filled == count && !(v > logits[ids[filled - 1]])) continue;
            int at = filled < count ? filled++ : count - 1;
            while (at > 0 && v > logits[ids[at - 1]])
            {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = i;
        }
        var result = new TokenLogprob[count];
        for (int i = 0; i < count; i++) result[i] = new TokenLogprob(ids[i], (float)(logits[ids[i]] - logSumExp));
        return result;
    }
}
