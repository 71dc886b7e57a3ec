using System.Text.Json;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Formats;
using Hearth.Formats.Gguf;

namespace Hearth.Models.Llama;

/// <summary>What differs between Llama-family architectures that share one graph.</summary>
/// <param name="AlwaysQkvBias">Qwen2 always has q/k/v projection biases; Llama only with attention_bias.</param>
/// <param name="SlidingWindowNeedsFlag">Qwen2 uses sliding_window only when use_sliding_window is true.</param>
/// <param name="GgufRopeMode">RoPE pairing of GGUF q/k weights (llama.cpp permutes llama's, not qwen2's).</param>
public sealed record LlamaFlavor(bool AlwaysQkvBias, bool SlidingWindowNeedsFlag, RopeMode GgufRopeMode);

/// <summary>Reads Llama-family hyper-parameters from HF config.json or GGUF "{arch}.*" metadata.</summary>
public static class LlamaConfigReader
{
    private const double DefaultRopeTheta = 10000;

    /// <summary>Reads config.json (already parsed); errors name <paramref name="path"/> and the field.</summary>
    public static ModelConfig FromHuggingFace(string architecture, LlamaFlavor flavor, JsonElement json, string path)
    {
        var f = JsonFields.Of(json, path);
        int dim = Positive(f, "hidden_size", f.Int("hidden_size"));
        int ffnDim = Positive(f, "intermediate_size", f.Int("intermediate_size"));
        int headCount = Positive(f, "num_attention_heads", f.Int("num_attention_heads"));
        int kvHeadCount = Positive(f, "num_key_value_heads", f.OptionalInt("num_key_value_heads") ?? headCount);
        if (headCount % kvHeadCount != 0)
            throw f.Invalid("num_key_value_heads", $"({kvHeadCount}) must divide num_attention_heads ({headCount})");
        int layerCount = Positive(f, "num_hidden_layers", f.Int("num_hidden_layers"));
        int headDim = f.OptionalInt("head_dim") ?? (dim % headCount == 0 ? dim / headCount
            : throw f.Invalid("hidden_size", $"({dim}) is not a multiple of num_attention_heads ({headCount}) and head_dim is absent"));
        if (headDim <= 0 || headDim % 2 != 0) throw f.Invalid("head_dim", $"must be a positive even number, is {headDim}");
        int context = Positive(f, "max_position_embeddings", f.Int("max_position_embeddings"));
        double eps = f.Double("rms_norm_eps");
        if (!(eps > 0)) throw f.Invalid("rms_norm_eps", $"must be positive, is {eps}");
        double theta = f.OptionalDouble("rope_theta") ?? DefaultRopeTheta;
        if (!(theta > 0)) throw f.Invalid("rope_theta", $"must be positive, is {theta}");
        int vocab = Positive(f, "vocab_size", f.Int("vocab_size"));
        if (f.OptionalBool("mlp_bias") == true) throw f.Invalid("mlp_bias", "is true: MLP biases are not supported");

        bool useSlidingWindow = !flavor.SlidingWindowNeedsFlag || (f.OptionalBool("use_sliding_window") ?? false);
        int slidingWindow = useSlidingWindow ? f.OptionalInt("sliding_window") ?? 0 : 0;
        if (slidingWindow < 0) throw f.Invalid("sliding_window", $"must not be negative, is {slidingWindow}");
        // Qwen2 applies the window only from layer max_window_layers on (HF default 28).
        int windowFirstLayer = flavor.SlidingWindowNeedsFlag && slidingWindow > 0 ? f.OptionalInt("max_window_layers") ?? 28 : 0;

        return new ModelConfig
        {
            Architecture = architecture,
            VocabSize = vocab,
            Dim = dim,
            LayerCount = layerCount,
            HeadCount = headCount,
            KvHeadCount = kvHeadCount,
            HeadDim = headDim,
            FfnDim = ffnDim,
            ContextLength = context,
            RmsNormEps = (float)eps,
            RopeTheta = (float)theta,
            RopeScaling = ReadHfRopeScaling(f),
            RopeMode = RopeMode.NeoX,
            SlidingWindow = slidingWindow,
            SlidingWindowFirstLayer = Math.Max(0, windowFirstLayer),
            QkvBias = flavor.AlwaysQkvBias || (f.OptionalBool("attention_bias") ?? false),
            TiedEmbeddings = f.OptionalBool("tie_word_embeddings") ?? false,
        };
    }

    private static RopeScaling? ReadHfRopeScaling(JsonFields config)
    {
        if (config.OptionalObject("rope_scaling") is not { } s) return null;
        string type = s.OptionalString("rope_type") ?? s.OptionalString("type")
            ?? throw config.Invalid("rope_scaling", "has neither 'rope_type' nor 'type'");
        switch (type)
        {
            case "default":
                return null;
            case "linear":
                return new RopeScaling(RopeScalingType.Linear, PositiveFloat(s, "factor", s.Double("factor")));
            case "llama3":
                float factor = PositiveFloat(s, "factor", s.Double("factor"));
                float low = PositiveFloat(s, "low_freq_factor", s.Double("low_freq_factor"));
                float high = PositiveFloat(s, "high_freq_factor", s.Double("high_freq_factor"));
                if (!(high > low)) throw s.Invalid("high_freq_factor", $"({high}) must be greater than low_freq_factor ({low})");
                int original = Positive(s, "original_max_position_embeddings", s.Int("original_max_position_embeddings"));
                return new RopeScaling(RopeScalingType.Llama3, factor, low, high, original);
            default:
                throw config.Invalid("rope_scaling", $"has unsupported type '{type}' (supported: default, linear, llama3)");
        }
    }

    /// <summary>Reads "{arch}.*" GGUF metadata; errors name the file and the key.</summary>
    public static ModelConfig FromGguf(string architecture, LlamaFlavor flavor, string ggufArchitecture,
        IReadOnlyDictionary<string, GgufValue> metadata, ITensorSource tensors)
    {
        var g = new GgufFields(metadata, tensors.Path);
        string p = ggufArchitecture + ".";
        int dim = Positive(g, p + "embedding_length", g.Int(p + "embedding_length"));
        int layerCount = Positive(g, p + "block_count", g.Int(p + "block_count"));
        int ffnDim = Positive(g, p + "feed_forward_length", g.Int(p + "feed_forward_length"));
        int headCount = Positive(g, p + "attention.head_count", g.Int(p + "attention.head_count"));
        int kvHeadCount = Positive(g, p + "attention.head_count_kv", g.OptionalInt(p + "attention.head_count_kv") ?? headCount);
        if (headCount % kvHeadCount != 0)
            throw g.Invalid(p + "attention.head_count_kv", $"({kvHeadCount}) must divide attention.head_count ({headCount})");
        int context = Positive(g, p + "context_length", g.Int(p + "context_length"));
        double eps = g.Double(p + "attention.layer_norm_rms_epsilon");
        if (!(eps > 0)) throw g.Invalid(p + "attention.layer_norm_rms_epsilon", $"must be positive, is {eps}");
        double theta = g.OptionalDouble(p + "rope.freq_base") ?? DefaultRopeTheta;
        if (!(theta > 0)) throw g.Invalid(p + "rope.freq_base", $"must be positive, is {theta}");

        int headDim = g.OptionalInt(p + "attention.key_length") ?? g.OptionalInt(p + "rope.dimension_count")
            ?? (dim % headCount == 0 ? dim / headCount
                : throw g.Invalid(p + "embedding_length", $"({dim}) is not a multiple of attention.head_count ({headCount})"));
        if (headDim <= 0 || headDim % 2 != 0) throw g.Invalid(p + "attention.key_length", $"head dimension must be a positive even number, is {headDim}");
        if (g.OptionalInt(p + "rope.dimension_count") is { } ropeDims && ropeDims != headDim)
            throw g.Invalid(p + "rope.dimension_count", $"is {ropeDims} but the head dimension is {headDim}: partial rotary embeddings are not supported");

        int slidingWindow = g.OptionalInt(p + "attention.sliding_window") ?? 0;
        if (slidingWindow < 0) throw g.Invalid(p + "attention.sliding_window", $"must not be negative, is {slidingWindow}");

        var embedding = tensors.Find(LlamaTensorNames.Name(WeightNaming.Gguf, LlamaTensorNames.TokenEmbd))
            ?? throw new ModelFormatException(tensors.Path, $"missing tensor '{LlamaTensorNames.Name(WeightNaming.Gguf, LlamaTensorNames.TokenEmbd)}'");
        if (embedding.Shape.Rank != 2)
            throw new ModelFormatException(tensors.Path, $"tensor '{embedding.Name}' must be 2-D [vocab, {dim}], is {embedding.Shape}");
        int vocab = embedding.Shape[0];

        return new ModelConfig
        {
            Architecture = architecture,
            VocabSize = vocab,
            Dim = dim,
            LayerCount = layerCount,
            HeadCount = headCount,
            KvHeadCount = kvHeadCount,
            HeadDim = headDim,
            FfnDim = ffnDim,
            ContextLength = context,
            RmsNormEps = (float)eps,
            RopeTheta = (float)theta,
            RopeScaling = ReadGgufRopeScaling(g, p),
            RopeMode = flavor.GgufRopeMode,
            SlidingWindow = slidingWindow,
            QkvBias = flavor.AlwaysQkvBias || tensors.Find(LlamaTensorNames.Name(WeightNaming.Gguf, LlamaTensorNames.Bq, 0)) is not null,
            TiedEmbeddings = tensors.Find(LlamaTensorNames.Name(WeightNaming.Gguf, LlamaTensorNames.Output)) is null,
        };
    }

    private static RopeScaling? ReadGgufRopeScaling(GgufFields g, string p)
    {
        string? type = g.OptionalString(p + "rope.scaling.type");
        double? legacyLinear = g.OptionalDouble(p + "rope.scale_linear");
        switch (type)
        {
            case null or "none":
                return legacyLinear is { } legacy && legacy != 1
                    ? new RopeScaling(RopeScalingType.Linear, PositiveFloat(g, p + "rope.scale_linear", legacy))
                    : null;
            case "linear":
                double factor = g.OptionalDouble(p + "rope.scaling.factor") ?? legacyLinear ?? throw g.Missing(p + "rope.scaling.factor");
                return new RopeScaling(RopeScalingType.Linear, PositiveFloat(g, p + "rope.scaling.factor", factor));
            default:
                throw g.Invalid(p + "rope.scaling.type", $"has unsupported value '{type}' (supported: none, linear; llama3 scaling comes as the rope_freqs.weight tensor)");
        }
    }

    private static int Positive(JsonFields f, string field, int value) =>
        value > 0 ? value : throw f.Invalid(field, $"must be positive, is {value}");

    private static int Positive(GgufFields g, string key, int value) =>
        value > 0 ? value : throw g.Invalid(key, $"must be positive, is {value}");

    private static float PositiveFloat(JsonFields f, string field, double value) =>
        value > 0 ? (float)value : throw f.Invalid(field, $"must be positive, is {value}");

    private static float PositiveFloat(GgufFields g, string key, double value) =>
        value > 0 ? (float)value : throw g.Invalid(key, $"must be positive, is {value}");
}
