using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Models.Llama;

/// <summary>
/// Builds one step of a Llama-family decoder (Llama 2/3, Mistral, Qwen2) as a graph of named
/// ops. The graph names no backend; weights stay in their storage types.
/// </summary>
public sealed class LlamaGraphBuilder : IStepGraphBuilder
{
    private readonly ModelConfig _config;
    private readonly LlamaWeights _weights;
    private readonly float[] _invFreq; // [headDim / 2], rope scaling folded in

    public LlamaGraphBuilder(ModelConfig config, LlamaWeights weights)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        _config = config;
        _weights = weights;
        _invFreq = RopeFrequencies.Compute(config.HeadDim, config.RopeTheta, config.RopeScaling, weights.RopeFreqFactors);
        var used = new List<HostTensor> { weights.TokenEmbd };
        foreach (var l in weights.Layers)
        {
            used.AddRange(new[] { l.AttnNorm, l.Wq, l.Bq, l.Wk, l.Bk, l.Wv, l.Bv, l.Wo, l.FfnNorm, l.WGate, l.WUp, l.WDown }.OfType<HostTensor>());
        }
        used.Add(weights.OutputNorm);
        if (!weights.IsTied) used.Add(weights.Output);
        UsedTensors = used;
    }

    public IReadOnlyList<HostTensor> UsedTensors { get; }

    /// <summary>RoPE inverse frequencies the graph uses ([headDim / 2]).</summary>
    public IReadOnlyList<float> InverseFrequencies => _invFreq;

    public ComputeGraph Build(int tokenCount, KvCacheBuffers cache, bool allLogits)
    {
        if (tokenCount <= 0) throw new HearthException($"a step needs at least one token, got {tokenCount}");
        return Build(tokenCount, cache, allLogits, paged: null);
    }

    public ComputeGraph BuildBatch(BatchStepShape shape, KvCacheBuffers cache)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        return Build(shape.TokenCount, cache, allLogits: false, shape);
    }

    // One graph for both layouts: paged (inputs kv_slots, block_tables, logit_rows) or one contiguous sequence
    // (the positions are the cache rows, only the last token's logits unless allLogits).
    private ComputeGraph Build(int tokenCount, KvCacheBuffers cache, bool allLogits, BatchStepShape? paged)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var c = _config;
        CheckCache(cache, c);
        if (paged is not null)
        {
            foreach (var buffer in cache.Keys.Concat(cache.Values))
                if (buffer.Shape[0] % paged.BlockSize != 0)
                    throw new HearthException($"KV cache buffer '{buffer.Name}' has {buffer.Shape[0]} rows, not a whole number of blocks of {paged.BlockSize}");
        }

        var g = new ComputeGraph();
        var tokens = g.Input("tokens", tokenCount);           // I32 [T]
        var positions = g.Input("positions", tokenCount);     // I32 [T]
        var slots = paged is null ? positions : g.Input("kv_slots", tokenCount);                                   // I32 [T]
        var blockTables = paged is null ? null : g.Input("block_tables", tokenCount * paged.MaxBlocksPerSeq);      // I32 [T * maxBlocks]
        var invFreq = g.Constant("rope_inv_freq", _invFreq);  // F32 [headDim / 2]
        var tokenEmbd = g.Weight(_weights.TokenEmbd);         // [vocab, dim]
        var x = g.Embedding("inp_embd", tokenEmbd, tokens);   // [T, dim]
        float attentionScale = 1f / MathF.Sqrt(c.HeadDim);

        for (int i = 0; i < c.LayerCount; i++)
        {
            var w = _weights.Layers[i];
            string b = $"blk.{i}.";
            var h = g.RmsNorm(b + "attn_norm", x, g.Weight(w.AttnNorm), c.RmsNormEps);    // [T, dim]
            // The three products first, then any biases: backends can run products of one input together.
            var q = Product(g, b + "q", h, w.Wq, w.Bq);                                      // [T, heads * headDim]
            var k = Product(g, b + "k", h, w.Wk, w.Bk);                                      // [T, kvHeads * headDim]
            var v = Product(g, b + "v", h, w.Wv, w.Bv);                                      // [T, kvHeads * headDim]
            q = AddBias(g, b + "q", q, w.Bq);
            k = AddBias(g, b + "k", k, w.Bk);
            v = AddBias(g, b + "v", v, w.Bv);
            q = g.Rope(b + "q_rope", q, positions, invFreq, new RopeParams(c.HeadCount, c.HeadDim, c.RopeMode));
            k = g.Rope(b + "k_rope", k, positions, invFreq, new RopeParams(c.KvHeadCount, c.HeadDim, c.RopeMode));
            var kCache = g.KvWrite(b + "k_cache", k, slots, g.State(b + "k_cache_state", cache.Keys[i]), i);
            var vCache = g.KvWrite(b + "v_cache", v, slots, g.State(b + "v_cache_state", cache.Values[i]), i);
            int window = i >= c.SlidingWindowFirstLayer ? c.SlidingWindow : 0;
            var attn = g.Attention(b + "attn", q, positions, kCache, vCache,
                new AttentionParams(i, c.HeadCount, c.KvHeadCount, c.HeadDim, attentionScale, window,
                    paged?.BlockSize ?? 0, paged?.MaxBlocksPerSeq ?? 0), blockTables);                           // [T, heads * headDim]
            var attnOut = g.MatMul(b + "attn_out", attn, g.Weight(w.Wo));                  // [T, dim]
            x = g.Add(b + "attn_residual", x, attnOut);

            h = g.RmsNorm(b + "ffn_norm", x, g.Weight(w.FfnNorm), c.RmsNormEps);
            var gate = g.MatMul(b + "ffn_gate", h, g.Weight(w.WGate));                     // [T, ffnDim]
            var up = g.MatMul(b + "ffn_up", h, g.Weight(w.WUp));                           // [T, ffnDim]
            var act = g.SiluMul(b + "ffn_act", gate, up);
            var ffnOut = g.MatMul(b + "ffn_out", act, g.Weight(w.WDown));                  // [T, dim]
            x = g.Add(b + "out", x, ffnOut);
        }

        x = g.RmsNorm("output_norm", x, g.Weight(_weights.OutputNorm), c.RmsNormEps);
        if (paged is not null) x = g.GatherRows("output_norm_rows", x, g.Input("logit_rows", paged.LogitRows));  // [R, dim]
        else if (!allLogits && tokenCount > 1) x = g.TakeLastRows("output_norm_last", x, 1);
        var output = _weights.IsTied ? tokenEmbd : g.Weight(_weights.Output);
        var logits = g.MatMul("logits", x, output);                                         // [T, 1 or R, vocab]
        g.MarkOutput(logits);
        return g;
    }

    // x @ W^T then + bias: the final node carries the plain name ("blk.N.q") whether or not there is a bias.
    private static Compute.Node Product(ComputeGraph g, string name, Compute.Node x, HostTensor weight, HostTensor? bias) =>
        g.MatMul(bias is null ? name : name + "_mm", x, g.Weight(weight));

    private static Compute.Node AddBias(ComputeGraph g, string name, Compute.Node product, HostTensor? bias) =>
        bias is null ? product : g.Add(name, product, g.Weight(bias));

    private static void CheckCache(KvCacheBuffers cache, ModelConfig c)
    {
        int kvDim = c.KvHeadCount * c.HeadDim;
        if (cache.Keys.Count != c.LayerCount || cache.Values.Count != c.LayerCount)
            throw new HearthException($"KV cache has {cache.Keys.Count} key and {cache.Values.Count} value buffers, the model has {c.LayerCount} layers");
        foreach (var buffer in cache.Keys.Concat(cache.Values))
        {
            if (buffer.Shape.Rank != 2 || buffer.Shape[1] != kvDim)
                throw new HearthException($"KV cache buffer '{buffer.Name}' has shape {buffer.Shape}, expected [capacity, {kvDim}]");
        }
    }
}
