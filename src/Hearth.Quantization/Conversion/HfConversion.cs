using Hearth.Core;
using Hearth.Formats.Gguf;
using Hearth.Formats.HuggingFace;
using Hearth.Models;
using Hearth.Models.Llama;

namespace Hearth.Quantization.Conversion;

/// <summary>
/// HF folder -> GGUF plan, as llama.cpp's convert_hf_to_gguf does for the Llama family: tensor names
/// through <see cref="LlamaTensorNames"/>, q/k rows permuted to interleaved RoPE pairs for GGUF "llama"
/// (Llama, Mistral; Qwen2 keeps NeoX order), "{arch}.*" hyper-parameters from the config Hearth read,
/// Llama 3 rope scaling as rope_freqs.weight, tokenizer.ggml.* from tokenizer.json and the chat template.
/// </summary>
internal static class HfConversion
{
    public static ConversionPlan Plan(Model model)
    {
        var c = model.Config;
        // llama.cpp writes Mistral (and Llama) as "llama" with permuted q/k; Qwen2 as "qwen2" unpermuted.
        bool permute = model.Architecture is LlamaArchitecture { Flavor.GgufRopeMode: Compute.RopeMode.Interleaved };
        string arch = permute ? "llama" : c.Architecture;
        var source = model.Weights;

        var tensors = new List<SourceTensor>();
        if (c.RopeScaling is { Type: RopeScalingType.Llama3 } scaling)
        {
            var plain = RopeFrequencies.Compute(c.HeadDim, c.RopeTheta, null);
            var scaled = RopeFrequencies.Compute(c.HeadDim, c.RopeTheta, scaling);
            var divisors = plain.Select((f, i) => f / scaled[i]).ToArray();
            tensors.Add(new SourceTensor(LlamaTensorNames.Name(WeightNaming.Gguf, LlamaTensorNames.RopeFreqs), new Shape(divisors.Length), null, Values: divisors));
        }

        void Add(string role, int layer, int permuteHeads = 0)
        {
            string hf = LlamaTensorNames.Name(WeightNaming.HuggingFace, role, layer);
            if (hf.Length == 0 || source.Find(hf) is not { } t) return;
            tensors.Add(new SourceTensor(LlamaTensorNames.Name(WeightNaming.Gguf, role, layer), t.Shape, t, permuteHeads));
        }

        Add(LlamaTensorNames.TokenEmbd, 0);
        for (int layer = 0; layer < c.LayerCount; layer++)
        {
            Add(LlamaTensorNames.AttnNorm, layer);
            Add(LlamaTensorNames.Wq, layer, permute ? c.HeadCount : 0);
            Add(LlamaTensorNames.Wk, layer, permute ? c.KvHeadCount : 0);
            Add(LlamaTensorNames.Wv, layer);
            Add(LlamaTensorNames.Wo, layer);
            // Biases of permuted projections are permuted the same way (a vector is one row per element).
            AddBias(LlamaTensorNames.Bq, layer, permute ? c.HeadCount : 0);
            AddBias(LlamaTensorNames.Bk, layer, permute ? c.KvHeadCount : 0);
            AddBias(LlamaTensorNames.Bv, layer, 0);
            Add(LlamaTensorNames.FfnNorm, layer);
            Add(LlamaTensorNames.WGate, layer);
            Add(LlamaTensorNames.WUp, layer);
            Add(LlamaTensorNames.WDown, layer);
        }
        Add(LlamaTensorNames.OutputNorm, 0);
        if (!c.TiedEmbeddings) Add(LlamaTensorNames.Output, 0);

        void AddBias(string role, int layer, int heads)
        {
            string hf = LlamaTensorNames.Name(WeightNaming.HuggingFace, role, layer);
            if (source.Find(hf) is not { } t) return;
            if (heads > 0)
            {
                // Permute a bias as a column: read it whole (small), reorder, hand it over as values.
                var values = new float[t.Shape.ElementCount];
                Core.Quants.Dequant.Row(t.Type, t.Bytes, values);
                var column = new SourceTensor("", new Shape(values.Length, 1), null, heads);
                var permuted = new float[values.Length];
                for (int r = 0; r < values.Length; r++) permuted[r] = values[column.SourceRow(r)];
                tensors.Add(new SourceTensor(LlamaTensorNames.Name(WeightNaming.Gguf, role, layer), t.Shape, null, Values: permuted));
                return;
            }
            tensors.Add(new SourceTensor(LlamaTensorNames.Name(WeightNaming.Gguf, role, layer), t.Shape, t));
        }

        var metadata = new List<KeyValuePair<string, GgufValue>>();
        void Meta(string key, GgufValue value) => metadata.Add(KeyValuePair.Create(key, value));
        Meta("general.architecture", GgufValue.Of(arch));
        Meta("general.name", GgufValue.Of(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(model.Path)))));
        string p = arch + ".";
        Meta(p + "vocab_size", GgufValue.Of((uint)c.VocabSize));
        Meta(p + "context_length", GgufValue.Of((uint)c.ContextLength));
        Meta(p + "embedding_length", GgufValue.Of((uint)c.Dim));
        Meta(p + "block_count", GgufValue.Of((uint)c.LayerCount));
        Meta(p + "feed_forward_length", GgufValue.Of((uint)c.FfnDim));
        Meta(p + "attention.head_count", GgufValue.Of((uint)c.HeadCount));
        Meta(p + "attention.head_count_kv", GgufValue.Of((uint)c.KvHeadCount));
        Meta(p + "attention.layer_norm_rms_epsilon", GgufValue.Of(c.RmsNormEps));
        Meta(p + "rope.freq_base", GgufValue.Of(c.RopeTheta));
        Meta(p + "rope.dimension_count", GgufValue.Of((uint)c.HeadDim));
        if (c.HeadDim != c.Dim / c.HeadCount)
        {
            Meta(p + "attention.key_length", GgufValue.Of((uint)c.HeadDim));
            Meta(p + "attention.value_length", GgufValue.Of((uint)c.HeadDim));
        }
        if (c.RopeScaling is { Type: RopeScalingType.Linear } linear)
        {
            Meta(p + "rope.scaling.type", GgufValue.Of("linear"));
            Meta(p + "rope.scaling.factor", GgufValue.Of(linear.Factor));
        }
        if (c.SlidingWindow > 0)
        {
            if (c.SlidingWindowFirstLayer > 0)
                throw new HearthException($"{model.Path}: a sliding window from layer {c.SlidingWindowFirstLayer} on (max_window_layers) has no GGUF key; converting it is not supported");
            Meta(p + "attention.sliding_window", GgufValue.Of((uint)c.SlidingWindow));
        }

        if (source is HfModelFolder folder && folder.TokenizerJsonPath is { } tokenizerJson)
            metadata.AddRange(HfTokenizerToGguf.Convert(tokenizerJson, folder.TokenizerConfigPath, c.VocabSize));
        if (model.ChatTemplateSource is { } template) Meta(GgufTokenizerMetadata.ChatTemplateKey, GgufValue.Of(template));
        return new ConversionPlan(metadata, tensors, c.LayerCount);
    }
}
