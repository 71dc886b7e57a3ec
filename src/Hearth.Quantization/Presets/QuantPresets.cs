using Hearth.Core;

namespace Hearth.Quantization.Presets;

/// <summary>
/// The preset registry and the per-tensor choice. Rules, after llama.cpp's llama_tensor_get_type:
/// <list type="bullet">
/// <item>1-D tensors (norms, biases, rope_freqs) stay F32 in every preset.</item>
/// <item>The output projection (output.weight, or token_embd.weight when embeddings are tied) is Q6_K
///   in every quantized preset except Q8_0 (kept Q8_0); F16/BF16 keep their type.</item>
/// <item>Q4_K_M / Q5_K_M: attn_v and ffn_down become Q6_K in "more bits" layers: the first and last
///   eighth of the blocks and every third block in between (llama.cpp's use_more_bits).</item>
/// <item>Q3_K_M: attn_v Q5_K in the first two blocks, else Q4_K; ffn_down Q5_K in the first 1/16 of the
///   blocks, else Q4_K (llama.cpp keeps Q3_K there only for Falcon); attn_output Q4_K.</item>
/// <item>Q2_K: attn_v Q4_K with 4+ query heads per KV head, else Q3_K; ffn_down and attn_output Q3_K.</item>
/// <item>token_embd (untied) takes the preset's default type.</item>
/// <item>A row length that is not a multiple of the chosen type's block falls back as in llama.cpp: Q4_K to
///   Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, Q2_K / Q3_K to Q4_0 (llama.cpp: IQ4_NL, which Hearth does not write),
///   and to F16 when the row is not a multiple of 32 either (reported per tensor).</item>
/// </list>
/// </summary>
public static class QuantPresets
{
    private static readonly List<QuantPreset> Presets =
    [
        Uniform("F32", TensorType.F32, 0, "32-bit floats (a plain HF -> GGUF conversion)"),
        Uniform("F16", TensorType.F16, 1, "16-bit IEEE floats"),
        Uniform("BF16", TensorType.BF16, 32, "bfloat16"),
        Uniform("Q8_0", TensorType.Q8_0, 7, "8-bit, blocks of 32 with an f16 scale"),
        Legacy("Q4_0", TensorType.Q4_0, 2, "4-bit symmetric, blocks of 32; output Q6_K"),
        Legacy("Q4_1", TensorType.Q4_1, 3, "4-bit with min, blocks of 32; output Q6_K"),
        Legacy("Q5_0", TensorType.Q5_0, 8, "5-bit symmetric, blocks of 32; output Q6_K"),
        Legacy("Q5_1", TensorType.Q5_1, 9, "5-bit with min, blocks of 32; output Q6_K"),
        new("Q2_K", TensorType.Q2_K, 10, Q2KRule, "2-bit K-quant; attn_v Q3_K/Q4_K, ffn_down/attn_output Q3_K, output Q6_K"),
        new("Q3_K_M", TensorType.Q3_K, 12, Q3KMRule, "3-bit K-quant mix; attn_v Q4_K/Q5_K, ffn_down Q4_K/Q5_K, attn_output Q4_K, output Q6_K"),
        new("Q4_K_M", TensorType.Q4_K, 15, s => MoreBitsMix(s, TensorType.Q6_K), "4-bit K-quant mix; attn_v/ffn_down Q6_K in half the layers, output Q6_K"),
        new("Q5_K_M", TensorType.Q5_K, 17, s => MoreBitsMix(s, TensorType.Q6_K), "5-bit K-quant mix; attn_v/ffn_down Q6_K in half the layers, output Q6_K"),
        Uniform("Q6_K", TensorType.Q6_K, 18, "6-bit K-quant"),
    ];

    public static IReadOnlyList<QuantPreset> All => Presets;

    public static IEnumerable<string> Names => Presets.Select(p => p.Name);

    /// <summary>The preset of this name (case-insensitive); a HearthException lists the known names.</summary>
    public static QuantPreset Get(string name) =>
        Presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new HearthException($"unknown quantization type '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>llama.cpp's use_more_bits: the first and last eighth of the layers, and every third layer in between.</summary>
    public static bool UseMoreBits(int layer, int layerCount) =>
        layer < layerCount / 8 || layer >= 7 * layerCount / 8 || (layer - layerCount / 8) % 3 == 2;

    /// <summary>
    /// The storage type of one tensor under <paramref name="preset"/>, and why when a fallback applied
    /// (null reason otherwise). <paramref name="sourceType"/> matters only for tensors kept as they are.
    /// </summary>
    public static TensorType Choose(QuantPreset preset, TensorSlot slot, out string? fallbackReason)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(slot);
        fallbackReason = null;
        if (slot.Shape.Rank < 2) return TensorType.F32;
        var wanted = preset.Override(slot) ?? preset.DefaultType;
        int rowLength = slot.Shape.Last;
        if (rowLength % TensorTypes.Info(wanted).BlockSize == 0) return wanted;
        // llama.cpp's fallbacks for rows that do not fill a K-quant super-block of 256; it sends Q2_K / Q3_K to
        // IQ4_NL, which Hearth does not write: Q4_0 has the same size (4.5 bits per weight).
        var fallback = wanted switch
        {
            TensorType.Q4_K => TensorType.Q5_0,
            TensorType.Q5_K => TensorType.Q5_1,
            TensorType.Q2_K or TensorType.Q3_K => TensorType.Q4_0,
            _ => TensorType.Q8_0,
        };
        if (rowLength % TensorTypes.Info(fallback).BlockSize != 0) fallback = TensorType.F16;
        fallbackReason = $"row length {rowLength} is not a multiple of the {TensorTypes.Info(wanted).Name} block size {TensorTypes.Info(wanted).BlockSize}: {TensorTypes.Info(fallback).Name} instead";
        return fallback;
    }

    private static QuantPreset Uniform(string name, TensorType type, uint fileType, string description) =>
        new(name, type, fileType, _ => null, description);

    private static QuantPreset Legacy(string name, TensorType type, uint fileType, string description) =>
        new(name, type, fileType, s => s.IsOutput ? TensorType.Q6_K : null, description);

    private static TensorType? MoreBitsMix(TensorSlot s, TensorType moreBits)
    {
        if (s.IsOutput) return TensorType.Q6_K;
        if (s.Layer >= 0 && s.Role is "attn_v" or "ffn_down" && UseMoreBits(s.Layer, s.LayerCount)) return moreBits;
        return null;
    }

    private static TensorType? Q3KMRule(TensorSlot s)
    {
        if (s.IsOutput) return TensorType.Q6_K;
        if (s.Layer < 0) return null;
        return s.Role switch
        {
            "attn_v" => s.Layer < 2 ? TensorType.Q5_K : TensorType.Q4_K,
            "ffn_down" => s.Layer < s.LayerCount / 16 ? TensorType.Q5_K : TensorType.Q4_K,
            "attn_output" => TensorType.Q4_K,
            _ => null,
        };
    }

    private static TensorType? Q2KRule(TensorSlot s)
    {
        if (s.IsOutput) return TensorType.Q6_K;
        if (s.Layer < 0) return null;
        return s.Role switch
        {
            "attn_v" => s.QueryGroupSize >= 4 ? TensorType.Q4_K : TensorType.Q3_K,
            "ffn_down" or "attn_output" => TensorType.Q3_K,
            _ => null,
        };
    }
}
