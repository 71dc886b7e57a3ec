using Hearth.Compute;
using Hearth.Core;
using Hearth.Runtime.Generation;
using Hearth.Runtime.KvCache;

namespace Hearth.Runtime.Evaluation;

/// <summary>Running or final perplexity over the chunks scored so far.</summary>
/// <param name="Perplexity">exp(mean negative log-likelihood).</param>
/// <param name="StandardError">llama.cpp's estimate: PPL * sqrt(var(NLL) / (n - 1)).</param>
/// <param name="ChunkCount">Chunks scored.</param>
/// <param name="TotalChunks">Chunks in the text.</param>
/// <param name="ContextLength">Tokens per chunk.</param>
/// <param name="ScoredTokens">Predictions scored (each chunk's second half).</param>
/// <param name="TextTokens">Tokens in the whole text.</param>
/// <param name="MeanNll">Mean negative log-likelihood in nats.</param>
public sealed record PerplexityResult(double Perplexity, double StandardError, int ChunkCount, int TotalChunks, int ContextLength,
    long ScoredTokens, int TextTokens, double MeanNll);

/// <summary>
/// Perplexity with llama.cpp's methodology (tools/perplexity): the text is tokenized once (with BOS when
/// the tokenizer adds it), cut into non-overlapping chunks of N tokens (a tail shorter than N is dropped),
/// each chunk is run from an empty cache with its first token replaced by BOS, and only the second half is
/// scored: logits at positions N/2 .. N-2 predict tokens N/2+1 .. N-1. Figures are therefore comparable
/// with llama-perplexity's "Final estimate: PPL = x +/- y" at the same context.
/// </summary>
public static class Perplexity
{
    /// <summary>Scores <paramref name="tokens"/> in chunks of <paramref name="contextLength"/>; needs at least 2 chunks, as llama.cpp.</summary>
    public static PerplexityResult Evaluate(IGenerativeModel model, IComputeDevice device, IReadOnlyList<int> tokens, int contextLength,
        int? bosId, IProgress<PerplexityResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(tokens);
        if (contextLength < 4) throw new HearthException($"perplexity needs a context of at least 4 tokens, got {contextLength}");
        if (contextLength > model.Config.ContextLength)
            throw new HearthException($"context {contextLength} exceeds the model's context length {model.Config.ContextLength}");
        if (tokens.Count < 2 * contextLength)
            throw new HearthException($"the text has {tokens.Count} tokens; perplexity with a context of {contextLength} needs at least {2 * contextLength} (use a longer text or a smaller --context)");

        int vocab = model.Config.VocabSize;
        int chunks = tokens.Count / contextLength;
        int first = contextLength / 2;
        using var cache = ContiguousKvCache.For(device, model.Config, contextLength);
        var graph = model.BuildStepGraph(contextLength, cache.Buffers, allLogits: true);
        var tokensNode = graph.Find("tokens") ?? throw new HearthException("step graph has no input node named 'tokens'");
        var positionsNode = graph.Find("positions") ?? throw new HearthException("step graph has no input node named 'positions'");
        var logitsNode = graph.Find("logits") ?? throw new HearthException("step graph has no output named 'logits'");
        if (logitsNode.Shape.ElementCount != (long)contextLength * vocab)
            throw new HearthException($"step graph output 'logits' has shape {logitsNode.Shape}, expected [{contextLength}, {vocab}]");
        using var executable = device.Compile(graph);

        var positions = new int[contextLength];
        for (int i = 0; i < contextLength; i++) positions[i] = i;
        var batch = new int[contextLength];
        var logits = new float[contextLength * vocab];
        double nll = 0, nll2 = 0;
        long count = 0;
        PerplexityResult? result = null;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            int start = chunk * contextLength;
            for (int i = 0; i < contextLength; i++) batch[i] = tokens[start + i];
            if (bosId is { } bos) batch[0] = bos;

            cache.Reset();
            executable.SetInput(tokensNode, batch);
            executable.SetInput(positionsNode, positions);
            executable.Run();
            executable.Read(logitsNode, logits);
            cache.Advance(contextLength);

            for (int j = first; j < contextLength - 1; j++)
            {
                double v = NegativeLogLikelihood(logits.AsSpan(j * vocab, vocab), tokens[start + j + 1]);
                nll += v;
                nll2 += v * v;
                count++;
            }
            result = Summarize(nll, nll2, count, chunk + 1, chunks, contextLength, tokens.Count);
            progress?.Report(result);
        }
        return result!;
    }

    /// <summary>-log softmax(logits)[target], in double: log-sum-exp shifted by the max.</summary>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, int target)
    {
        if ((uint)target >= (uint)logits.Length) throw new HearthException($"token id {target} is outside the vocabulary of {logits.Length}");
        double max = double.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        double sum = 0;
        foreach (float l in logits) sum += Math.Exp(l - max);
        return Math.Log(sum) + max - logits[target];
    }

    // As llama.cpp: mean and variance of the per-token NLL; error of the mean, carried to PPL by its derivative.
    private static PerplexityResult Summarize(double nll, double nll2, long count, int chunk, int chunks, int contextLength, int textTokens)
    {
        double mean = nll / count;
        double variance = nll2 / count - mean * mean;
        double errorOfMean = variance > 0 && count > 1 ? Math.Sqrt(variance / (count - 1)) : 0;
        double ppl = Math.Exp(mean);
        return new PerplexityResult(ppl, ppl * errorOfMean, chunk, chunks, contextLength, count, textTokens, mean);
    }
}
