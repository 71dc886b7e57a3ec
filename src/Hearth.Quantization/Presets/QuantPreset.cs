using Hearth.Core;

namespace Hearth.Quantization.Presets;

/// <summary>What a preset rule sees of one tensor (GGUF naming).</summary>
/// <param name="Name">GGUF tensor name, e.g. "blk.3.attn_v.weight".</param>
/// <param name="Shape">Row-major shape, outermost first.</param>
/// <param name="Layer">Block index for "blk.N.*" tensors, else -1.</param>
/// <param name="LayerCount">Number of blocks in the model.</param>
/// <param name="IsOutput">The tensor projecting to the vocabulary (output.weight, or token_embd.weight when tied).</param>
/// <param name="QueryGroupSize">Query heads per KV head (llama.cpp's n_gqa; 1 without grouped-query attention).</param>
public sealed record TensorSlot(string Name, Shape Shape, int Layer, int LayerCount, bool IsOutput, int QueryGroupSize = 1)
{
    /// <summary>The role part of the name: "attn_v" for "blk.3.attn_v.weight", "token_embd" for "token_embd.weight".</summary>
    public string Role
    {
        get
        {
            string rest = Layer >= 0 ? Name[(Name.IndexOf('.', 4) + 1)..] : Name;
            int dot = rest.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? rest : rest[..dot];
        }
    }
}

/// <summary>
/// A named quantization recipe as llama.cpp users know them: a default type for 2-D weights and
/// per-tensor overrides (the "_M" mixes keep the tensors that matter most at higher precision).
/// </summary>
/// <param name="Name">"Q4_K_M", "Q8_0", ...</param>
/// <param name="DefaultType">Type of 2-D weights no rule overrides.</param>
/// <param name="FileType">GGUF general.file_type (llama.cpp's llama_ftype).</param>
/// <param name="Override">Returns a type for a tensor, or null for <paramref name="DefaultType"/>.</param>
/// <param name="Description">One line for --help and docs.</param>
public sealed record QuantPreset(string Name, TensorType DefaultType, uint FileType, Func<TensorSlot, TensorType?> Override, string Description);
