using Hearth.Models;

namespace Hearth.Quantization.Conversion;

/// <summary>HF folder -> GGUF plan (names, q/k permutation, metadata). Filled in below.</summary>
internal static class HfConversion
{
    public static ConversionPlan Plan(Model model) => throw new Core.HearthException($"{model.Path}: converting a Hugging Face folder is not implemented yet");
}
