namespace Hearth.Runtime.Sampling;

/// <summary>One candidate of the final distribution the sampler draws from.</summary>
public readonly record struct TokenProbability(int Id, float Probability);

/// <summary>
/// Draws the next token from a row of logits: penalties, temperature, top-k, softmax, top-p,
/// min-p, then a draw from a seeded RNG. Greedy (temperature 0 or top-k 1) is argmax with the
/// lowest id winning ties. Not thread-safe: one sampler per sequence.
/// </summary>
public sealed class Sampler
{
    private readonly Random _random;
    private readonly Dictionary<int, int> _counts = [];
    private float[] _scratch = [];
    private int[] _order = [];
    private float[] _probabilities = [];
    private int[] _ids = [];
    private int[] _rowIds = [];

    public Sampler(SamplerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _random = options.Seed is int seed ? new Random(seed) : new Random();
    }

    public SamplerOptions Options { get; }

    /// <summary>Picks the next token. <paramref name="previousTokens"/> is the sequence so far (for penalties).</summary>
    public int Sample(ReadOnlySpan<float> logits, ReadOnlySpan<int> previousTokens)
    {
        int count = Prepare(logits, previousTokens);
        return Options.IsGreedy ? _order[0] : _order[Draw(count)];
    }

    /// <summary>
    /// Whether <see cref="SampleTopK"/> over the <paramref name="candidates"/> largest logits draws exactly what
    /// <see cref="Sample"/> over all of them would: greedy, or top-k within the candidates with no penalty (a penalty can
    /// move a token from outside them in; without top-k, top-p and min-p need the whole distribution).
    /// </summary>
    public bool CanSampleFromTopK(int candidates) =>
        candidates >= 1 && (Options.IsGreedy || Options.TopK >= 1 && Options.TopK <= candidates)
        && Options.RepetitionPenalty == 1f && Options.FrequencyPenalty == 0f && Options.PresencePenalty == 0f;

    /// <summary>
    /// Picks the next token from the largest logits of the row (OpKind.TopK: values descending, lower id first on ties,
    /// NaN already -inf), with the same arithmetic, order and random draw as <see cref="Sample"/> on the whole row, so
    /// the token is the same. Only where <see cref="CanSampleFromTopK"/> says so.
    /// </summary>
    public int SampleTopK(ReadOnlySpan<float> values, ReadOnlySpan<int> ids)
    {
        if (values.Length != ids.Length || values.IsEmpty) throw new ArgumentException("one id per candidate value, at least one", nameof(ids));
        if (!CanSampleFromTopK(values.Length))
            throw new InvalidOperationException($"these sampling options need all logits, not the {values.Length} largest");
        if (Options.IsGreedy) return ids[0];
        EnsureScratch(values.Length);
        if (_ids.Length < ids.Length) _ids = new int[ids.Length];
        ids.CopyTo(_ids);
        var scores = _scratch.AsSpan(0, values.Length);
        values.CopyTo(scores);
        int count = Probabilities(values.Length, useIds: true);
        return _ids[_order[Draw(count)]];
    }

    /// <summary><see cref="SampleTopK"/> from a row of OpKind.TopK: [values k, ids k (as floats), max, log-sum].</summary>
    public int SampleTopKRow(ReadOnlySpan<float> row)
    {
        int k = (row.Length - 2) / 2;
        if (k < 1 || row.Length != 2 * k + 2) throw new ArgumentException($"a top-k row holds 2k + 2 values (got {row.Length})", nameof(row));
        if (_rowIds.Length < k) _rowIds = new int[k];
        for (int i = 0; i < k; i++) _rowIds[i] = (int)row[k + i];
        return SampleTopK(row[..k], _rowIds.AsSpan(0, k));
    }

    // An index into _order[0..count) drawn from _probabilities.
    private int Draw(int count)
    {
        double u = _random.NextDouble();
        double cumulative = 0;
        for (int i = 0; i < count; i++)
        {
            cumulative += _probabilities[i];
            if (u < cumulative) return i;
        }
        // Rounding left the sum a hair under 1: the last kept candidate takes the remainder.
        return count - 1;
    }

    /// <summary>The distribution <see cref="Sample"/> draws from, most likely first (tests and debugging).</summary>
    public IReadOnlyList<TokenProbability> Distribution(ReadOnlySpan<float> logits, ReadOnlySpan<int> previousTokens)
    {
        int count = Prepare(logits, previousTokens);
        if (Options.IsGreedy) return [new TokenProbability(_order[0], 1f)];
        var result = new TokenProbability[count];
        for (int i = 0; i < count; i++) result[i] = new TokenProbability(_order[i], _probabilities[i]);
        return result;
    }

    /// <summary>Index of the largest value; the lowest index wins ties; NaN never wins.</summary>
    public static int Argmax(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("no logits to choose from", nameof(logits));
        int best = 0;
        float bestValue = float.NegativeInfinity;
        bool found = false;
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            if (float.IsNaN(v)) continue;
            if (!found || v > bestValue)
            {
                best = i;
                bestValue = v;
                found = true;
            }
        }
        return best;
    }

    /// <summary>Applies repetition, frequency and presence penalties in place.</summary>
    public static void ApplyPenalties(Span<float> logits, ReadOnlySpan<int> previousTokens, SamplerOptions options,
        Dictionary<int, int>? countsScratch = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool repetition = options.RepetitionPenalty != 1f;
        bool openAi = options.FrequencyPenalty != 0f || options.PresencePenalty != 0f;
        if (!repetition && !openAi) return;

        var window = options.PenaltyLastN > 0 && previousTokens.Length > options.PenaltyLastN
            ? previousTokens[^options.PenaltyLastN..]
            : previousTokens;
        var counts = countsScratch ?? [];
        counts.Clear();
        foreach (int id in window)
        {
            if ((uint)id >= (uint)logits.Length) continue;
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        foreach (var (id, count) in counts)
        {
            float logit = logits[id];
            if (repetition) logit = logit > 0 ? logit / options.RepetitionPenalty : logit * options.RepetitionPenalty;
            logit -= count * options.FrequencyPenalty + options.PresencePenalty;
            logits[id] = logit;
        }
    }

    /// <summary>Fills _order[0..count) (most likely first) and, unless greedy, _probabilities; returns count.</summary>
    private int Prepare(ReadOnlySpan<float> logits, ReadOnlySpan<int> previousTokens)
    {
        if (logits.IsEmpty) throw new ArgumentException("no logits to sample from", nameof(logits));
        EnsureScratch(logits.Length);
        var scores = _scratch.AsSpan(0, logits.Length);
        logits.CopyTo(scores);
        ApplyPenalties(scores, previousTokens, Options, _counts);
        for (int i = 0; i < scores.Length; i++)
            if (float.IsNaN(scores[i])) scores[i] = float.NegativeInfinity;

        if (Options.IsGreedy)
        {
            _order[0] = Argmax(scores);
            return 1;
        }
        return Probabilities(scores.Length, useIds: false);
    }

    // From the scores in _scratch[0..n) (ids 0..n, or _ids[0..n) when useIds): temperature, top-k, softmax, top-p, min-p
    // -> _order[0..count) (positions in _scratch, most likely first) and _probabilities; returns count.
    private int Probabilities(int n, bool useIds)
    {
        var scores = _scratch.AsSpan(0, n);
        float invTemperature = 1f / Options.Temperature;
        for (int i = 0; i < scores.Length; i++) scores[i] *= invTemperature;

        int k = Options.TopK > 0 ? Math.Min(Options.TopK, scores.Length) : scores.Length;
        int count = SelectTop(scores.Length, k, useIds);

        // Softmax over the kept candidates (max first, so exp never overflows).
        float max = scores[_order[0]];
        if (float.IsNegativeInfinity(max)) return 1; // every logit is -inf: nothing better than the lowest id
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            double p = Math.Exp(scores[_order[i]] - max);
            _probabilities[i] = (float)p;
            sum += p;
        }
        for (int i = 0; i < count; i++) _probabilities[i] = (float)(_probabilities[i] / sum);

        if (Options.TopP < 1f)
        {
            double cumulative = 0;
            int kept = count;
            for (int i = 0; i < count; i++)
            {
                cumulative += _probabilities[i];
                if (cumulative >= Options.TopP) { kept = i + 1; break; }
            }
            count = kept;
        }

        if (Options.MinP > 0f)
        {
            float threshold = Options.MinP * _probabilities[0];
            int kept = 1;
            while (kept < count && _probabilities[kept] >= threshold) kept++;
            count = kept;
        }

        double keptSum = 0;
        for (int i = 0; i < count; i++) keptSum += _probabilities[i];
        for (int i = 0; i < count; i++) _probabilities[i] = (float)(_probabilities[i] / keptSum);
        return count;
    }

    /// <summary>Puts the positions of the k highest scores into _order[0..k), best first, lower id first on ties.</summary>
    private int SelectTop(int n, int k, bool useIds)
    {
        float[] scores = _scratch;
        int[] ids = _ids;
        var order = _order.AsSpan(0, n);
        for (int i = 0; i < n; i++) order[i] = i;
        int Compare(int a, int b)
        {
            int c = scores[b].CompareTo(scores[a]);
            return c != 0 ? c : useIds ? ids[a].CompareTo(ids[b]) : a.CompareTo(b);
        }
        if (k < n)
        {
            // Partial selection: keep a heap of the k best seen, then sort just those.
            var heap = new PriorityQueue<int, int>(k, Comparer<int>.Create((a, b) => Compare(b, a)));
            for (int i = 0; i < n; i++)
            {
                if (heap.Count < k) heap.Enqueue(i, i);
                else if (Compare(i, heap.Peek()) < 0) heap.DequeueEnqueue(i, i);
            }
            int c = 0;
            while (heap.TryDequeue(out int id, out _)) order[c++] = id;
            order[..k].Sort(Compare);
            return k;
        }
        order.Sort(Compare);
        return n;
    }

    private void EnsureScratch(int vocab)
    {
        // Grow only: a generator alternates between whole rows and a few candidates.
        if (_scratch.Length >= vocab) return;
        _scratch = new float[vocab];
        _order = new int[vocab];
        _probabilities = new float[vocab];
    }
}
