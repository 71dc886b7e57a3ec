using Hearth.Core;

namespace Hearth.Runtime.Sampling;

/// <summary>
/// How the next token is drawn from the logits. Applied in this order: penalties, temperature,
/// top-k, softmax, top-p, min-p, draw. Temperature 0 means greedy (argmax, lowest id on ties).
/// </summary>
public sealed record SamplerOptions
{
    /// <summary>Greedy decoding: the defaults of every other field, temperature 0.</summary>
    public static SamplerOptions Greedy { get; } = new();

    /// <summary>0 = greedy; otherwise logits are divided by it before the softmax.</summary>
    public float Temperature { get; init; }

    /// <summary>Keep only the K most likely tokens; 0 = off.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probability sum reaches P; 1 = off.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Drop tokens whose probability is below MinP times the top token's; 0 = off.</summary>
    public float MinP { get; init; }

    /// <summary>HF / llama.cpp repetition penalty over the tokens seen: positive logits are divided by it,
    /// negative ones multiplied; 1 = off.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>OpenAI frequency penalty: logit -= count * FrequencyPenalty; 0 = off.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>OpenAI presence penalty: logit -= PresencePenalty for every token seen at least once; 0 = off.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Penalties look at the last N tokens of the sequence (prompt included); 0 = the whole sequence.</summary>
    public int PenaltyLastN { get; init; }

    /// <summary>Seed of the random draw; null = a new random seed.</summary>
    public int? Seed { get; init; }

    public bool IsGreedy => Temperature <= 0f || TopK == 1;

    /// <summary>Throws <see cref="HearthException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!float.IsFinite(Temperature) || Temperature < 0) throw new HearthException($"temperature must be >= 0 (got {Temperature})");
        if (TopK < 0) throw new HearthException($"top-k must be >= 0 (got {TopK})");
        if (!(TopP > 0 && TopP <= 1)) throw new HearthException($"top-p must be in (0, 1] (got {TopP})");
        if (!(MinP >= 0 && MinP <= 1)) throw new HearthException($"min-p must be in [0, 1] (got {MinP})");
        if (!(RepetitionPenalty > 0) || !float.IsFinite(RepetitionPenalty)) throw new HearthException($"repetition penalty must be > 0 (got {RepetitionPenalty})");
        if (!float.IsFinite(FrequencyPenalty)) throw new HearthException($"frequency penalty must be finite (got {FrequencyPenalty})");
        if (!float.IsFinite(PresencePenalty)) throw new HearthException($"presence penalty must be finite (got {PresencePenalty})");
        if (PenaltyLastN < 0) throw new HearthException($"penalty window must be >= 0 (got {PenaltyLastN})");
    }
}
