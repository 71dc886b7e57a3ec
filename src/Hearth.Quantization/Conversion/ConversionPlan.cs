using Hearth.Core;
using Hearth.Formats.Gguf;
using Hearth.Models;
using Hearth.Models.Llama;

namespace Hearth.Quantization.Conversion;

/// <summary>What the output file will hold before any type is chosen: metadata in order and tensors in order.</summary>
public sealed record ConversionPlan(IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata, IReadOnlyList<SourceTensor> Tensors, int LayerCount)
{
    /// <summary>Keys the quantizer rewrites; any copy from the source is dropped.</summary>
    public static readonly string[] RewrittenKeys = ["general.file_type", "general.quantization_version", "general.alignment"];

    /// <summary>A loaded model's plan: a GGUF file keeps its metadata and names; a HF folder is converted.</summary>
    public static ConversionPlan For(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Weights is GgufFile gguf ? FromGguf(model, gguf) : HfConversion.Plan(model);
    }

    private static ConversionPlan FromGguf(Model model, GgufFile file)
    {
        var metadata = file.Metadata.Where(kv => !RewrittenKeys.Contains(kv.Key)).ToList();
        var tensors = file.Tensors.Select(t => new SourceTensor(t.Name, t.Shape, t)).ToList();
        return new ConversionPlan(metadata, tensors, model.Config.LayerCount);
    }

    /// <summary>The block index of a "blk.N.*" name, else -1.</summary>
    public static int LayerOf(string name)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal)) return -1;
        int dot = name.IndexOf('.', 4);
        return dot > 4 && int.TryParse(name.AsSpan(4, dot - 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int layer) ? layer : -1;
    }

    /// <summary>Whether this tensor projects to the vocabulary (output.weight, or token_embd.weight when there is no output.weight).</summary>
    public bool IsOutput(SourceTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        string output = LlamaTensorNames.Name(WeightNaming.Gguf, LlamaTensorNames.Output);
        string embedding = LlamaTensorNames.Name(WeightNaming.Gguf, LlamaTensorNames.TokenEmbd);
        return tensor.Name == output || (tensor.Name == embedding && Tensors.All(t => t.Name != output));
    }
}
