using System.Globalization;
using System.Runtime.InteropServices;
using Hearth.Core;
using Hearth.Formats;

namespace Hearth.Models.Llama;

/// <summary>
/// The weight-name map: one internal name per tensor role, mapped to Hugging Face and GGUF names.
/// Per-layer templates carry "{0}" for the layer index.
/// </summary>
public static class LlamaTensorNames
{
    public const string TokenEmbd = "token_embd";
    public const string OutputNorm = "output_norm";
    public const string Output = "output";
    public const string RopeFreqs = "rope_freqs";
    public const string AttnNorm = "attn_norm";
    public const string Wq = "wq";
    public const string Wk = "wk";
    public const string Wv = "wv";
    public const string Wo = "wo";
    public const string Bq = "bq";
    public const string Bk = "bk";
    public const string Bv = "bv";
    public const string FfnNorm = "ffn_norm";
    public const string WGate = "w_gate";
    public const string WUp = "w_up";
    public const string WDown = "w_down";

    private static readonly Dictionary<string, (string Hf, string Gguf)> Map = new(StringComparer.Ordinal)
    {
        [TokenEmbd] = ("model.embed_tokens.weight", "token_embd.weight"),
        [OutputNorm] = ("model.norm.weight", "output_norm.weight"),
        [Output] = ("lm_head.weight", "output.weight"),
        [RopeFreqs] = ("", "rope_freqs.weight"),
        [AttnNorm] = ("model.layers.{0}.input_layernorm.weight", "blk.{0}.attn_norm.weight"),
        [Wq] = ("model.layers.{0}.self_attn.q_proj.weight", "blk.{0}.attn_q.weight"),
        [Wk] = ("model.layers.{0}.self_attn.k_proj.weight", "blk.{0}.attn_k.weight"),
        [Wv] = ("model.layers.{0}.self_attn.v_proj.weight", "blk.{0}.attn_v.weight"),
        [Wo] = ("model.layers.{0}.self_attn.o_proj.weight", "blk.{0}.attn_output.weight"),
        [Bq] = ("model.layers.{0}.self_attn.q_proj.bias", "blk.{0}.attn_q.bias"),
        [Bk] = ("model.layers.{0}.self_attn.k_proj.bias", "blk.{0}.attn_k.bias"),
        [Bv] = ("model.layers.{0}.self_attn.v_proj.bias", "blk.{0}.attn_v.bias"),
        [FfnNorm] = ("model.layers.{0}.post_attention_layernorm.weight", "blk.{0}.ffn_norm.weight"),
        [WGate] = ("model.layers.{0}.mlp.gate_proj.weight", "blk.{0}.ffn_gate.weight"),
        [WUp] = ("model.layers.{0}.mlp.up_proj.weight", "blk.{0}.ffn_up.weight"),
        [WDown] = ("model.layers.{0}.mlp.down_proj.weight", "blk.{0}.ffn_down.weight"),
    };

    /// <summary>Internal role names, in file order.</summary>
    public static IReadOnlyCollection<string> Roles => Map.Keys;

    /// <summary>The file's name for an internal role (layer index for per-layer roles); "" if the naming has no such tensor.</summary>
    public static string Name(WeightNaming naming, string role, int layer = 0)
    {
        if (!Map.TryGetValue(role, out var names)) throw new ArgumentException($"unknown tensor role '{role}'", nameof(role));
        string template = naming == WeightNaming.HuggingFace ? names.Hf : names.Gguf;
        return string.Format(CultureInfo.InvariantCulture, template, layer);
    }
}

/// <summary>One transformer block's tensors in their storage types ([out, in] for linear weights).</summary>
public sealed record LlamaLayerWeights(
    HostTensor AttnNorm,   // [dim]
    HostTensor Wq,         // [heads * headDim, dim]
    HostTensor Wk,         // [kvHeads * headDim, dim]
    HostTensor Wv,         // [kvHeads * headDim, dim]
    HostTensor Wo,         // [dim, heads * headDim]
    HostTensor? Bq,        // [heads * headDim]
    HostTensor? Bk,        // [kvHeads * headDim]
    HostTensor? Bv,        // [kvHeads * headDim]
    HostTensor FfnNorm,    // [dim]
    HostTensor WGate,      // [ffnDim, dim]
    HostTensor WUp,        // [ffnDim, dim]
    HostTensor WDown);     // [dim, ffnDim]

/// <summary>All tensors of a Llama-family model, found by the name map and checked against the config.</summary>
public sealed class LlamaWeights
{
    private LlamaWeights(HostTensor tokenEmbd, HostTensor outputNorm, HostTensor output, IReadOnlyList<LlamaLayerWeights> layers, float[]? ropeFreqFactors)
    {
        TokenEmbd = tokenEmbd;
        OutputNorm = outputNorm;
        Output = output;
        Layers = layers;
        RopeFreqFactors = ropeFreqFactors;
    }

    /// <summary>[vocab, dim].</summary>
    public HostTensor TokenEmbd { get; }
    /// <summary>[dim].</summary>
    public HostTensor OutputNorm { get; }
    /// <summary>[vocab, dim]; the same tensor as <see cref="TokenEmbd"/> when embeddings are tied.</summary>
    public HostTensor Output { get; }
    public IReadOnlyList<LlamaLayerWeights> Layers { get; }
    /// <summary>GGUF rope_freqs.weight [headDim / 2] (Llama 3.1 scaling): each inverse frequency is divided by it.</summary>
    public float[]? RopeFreqFactors { get; }

    public bool IsTied => ReferenceEquals(TokenEmbd, Output);

    /// <summary>Finds every expected tensor; a missing one or a wrong shape throws naming the file, tensor and shapes.</summary>
    public static LlamaWeights Bind(ModelConfig c, ITensorSource source, WeightNaming naming)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(source);
        int qDim = c.HeadCount * c.HeadDim;
        int kvDim = c.KvHeadCount * c.HeadDim;

        HostTensor Get(string role, int layer, params int[] shape) => Check(source, Require(source, naming, role, layer), shape);
        HostTensor? Optional(string role, int layer, params int[] shape) =>
            source.Find(LlamaTensorNames.Name(naming, role, layer)) is { } t ? Check(source, t, shape) : null;

        var tokenEmbd = Get(LlamaTensorNames.TokenEmbd, 0, c.VocabSize, c.Dim);
        var outputNorm = Get(LlamaTensorNames.OutputNorm, 0, c.Dim);
        var output = c.TiedEmbeddings ? tokenEmbd : Optional(LlamaTensorNames.Output, 0, c.VocabSize, c.Dim) ?? tokenEmbd;

        var layers = new LlamaLayerWeights[c.LayerCount];
        for (int i = 0; i < c.LayerCount; i++)
        {
            // Biases are checked when present even if the config does not announce them, and required when it does.
            HostTensor? Bias(string role, int width) => c.QkvBias ? Get(role, i, width) : Optional(role, i, width);
            layers[i] = new LlamaLayerWeights(
                AttnNorm: Get(LlamaTensorNames.AttnNorm, i, c.Dim),
                Wq: Get(LlamaTensorNames.Wq, i, qDim, c.Dim),
                Wk: Get(LlamaTensorNames.Wk, i, kvDim, c.Dim),
                Wv: Get(LlamaTensorNames.Wv, i, kvDim, c.Dim),
                Wo: Get(LlamaTensorNames.Wo, i, c.Dim, qDim),
                Bq: Bias(LlamaTensorNames.Bq, qDim),
                Bk: Bias(LlamaTensorNames.Bk, kvDim),
                Bv: Bias(LlamaTensorNames.Bv, kvDim),
                FfnNorm: Get(LlamaTensorNames.FfnNorm, i, c.Dim),
                WGate: Get(LlamaTensorNames.WGate, i, c.FfnDim, c.Dim),
                WUp: Get(LlamaTensorNames.WUp, i, c.FfnDim, c.Dim),
                WDown: Get(LlamaTensorNames.WDown, i, c.Dim, c.FfnDim));
        }

        float[]? ropeFreqFactors = null;
        if (naming == WeightNaming.Gguf && Optional(LlamaTensorNames.RopeFreqs, 0, c.HeadDim / 2) is { } ropeFreqs)
        {
            if (ropeFreqs.Type != TensorType.F32)
                throw new ModelFormatException(source.Path, $"tensor '{ropeFreqs.Name}' must be F32, is {TensorTypes.Info(ropeFreqs.Type).Name}");
            ropeFreqFactors = MemoryMarshal.Cast<byte, float>(ropeFreqs.Bytes).ToArray();
        }
        return new LlamaWeights(tokenEmbd, outputNorm, output, layers, ropeFreqFactors);
    }

    private static HostTensor Require(ITensorSource source, WeightNaming naming, string role, int layer)
    {
        string name = LlamaTensorNames.Name(naming, role, layer);
        return source.Find(name) ?? throw new ModelFormatException(source.Path, $"missing tensor '{name}'");
    }

    private static HostTensor Check(ITensorSource source, HostTensor tensor, int[] expected)
    {
        var shape = new Shape(expected);
        if (tensor.Shape != shape)
            throw new ModelFormatException(source.Path, $"tensor '{tensor.Name}' has shape {tensor.Shape}, expected {shape}");
        // Linear weights are read a row at a time, so each row must be whole blocks of the storage type.
        var info = TensorTypes.Info(tensor.Type);
        if (shape.Rank > 0 && shape.Last % info.BlockSize != 0)
            throw new ModelFormatException(source.Path, $"tensor '{tensor.Name}' {shape}: row of {shape.Last} is not a multiple of the {info.Name} block size {info.BlockSize}");
        return tensor;
    }
}
