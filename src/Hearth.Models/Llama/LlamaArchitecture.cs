using System.Text.Json;
using Hearth.Compute;
using Hearth.Formats;
using Hearth.Formats.Gguf;

namespace Hearth.Models.Llama;

/// <summary>
/// The Llama family: one graph (RMSNorm, RoPE, GQA attention, SwiGLU) shared by Llama 2/3/3.1,
/// Mistral and Qwen2; the differences are config flags (<see cref="LlamaFlavor"/>).
/// </summary>
public sealed class LlamaArchitecture(string name, LlamaFlavor flavor, string[] hfModelTypes, string[] hfClassNames, string[] ggufNames) : IArchitecture
{
    /// <summary>The built-in registrations.</summary>
    public static IEnumerable<IArchitecture> BuiltIn() =>
    [
        // llama.cpp writes Mistral 7B GGUFs as "llama" with permuted q/k (interleaved RoPE).
        new LlamaArchitecture("llama", new LlamaFlavor(AlwaysQkvBias: false, SlidingWindowNeedsFlag: false, RopeMode.Interleaved),
            ["llama"], ["LlamaForCausalLM"], ["llama"]),
        new LlamaArchitecture("mistral", new LlamaFlavor(AlwaysQkvBias: false, SlidingWindowNeedsFlag: false, RopeMode.Interleaved),
            ["mistral"], ["MistralForCausalLM"], ["mistral"]),
        new LlamaArchitecture("qwen2", new LlamaFlavor(AlwaysQkvBias: true, SlidingWindowNeedsFlag: true, RopeMode.NeoX),
            ["qwen2"], ["Qwen2ForCausalLM"], ["qwen2"]),
    ];

    public string Name => name;
    public LlamaFlavor Flavor => flavor;
    public IReadOnlyList<string> HfModelTypes => hfModelTypes;
    public IReadOnlyList<string> HfClassNames => hfClassNames;
    public IReadOnlyList<string> GgufNames => ggufNames;

    public ModelConfig ReadHfConfig(JsonElement config, string configPath) =>
        LlamaConfigReader.FromHuggingFace(name, flavor, config, configPath);

    public ModelConfig ReadGgufConfig(string ggufArchitecture, IReadOnlyDictionary<string, GgufValue> metadata, ITensorSource tensors) =>
        LlamaConfigReader.FromGguf(name, flavor, ggufArchitecture, metadata, tensors);

    public IStepGraphBuilder Bind(ModelConfig config, ITensorSource tensors, WeightNaming naming) =>
        new LlamaGraphBuilder(config, LlamaWeights.Bind(config, tensors, naming));
}
