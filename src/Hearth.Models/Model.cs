using Hearth.Compute;
using Hearth.Formats;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Models;

/// <summary>Per-layer KV cache buffers the step graph reads and writes ([capacity, kvHeads * headDim] each).</summary>
public sealed record KvCacheBuffers(IReadOnlyList<IStateBuffer> Keys, IReadOnlyList<IStateBuffer> Values);

/// <summary>
/// A loaded model: config, tokenizer, chat template and memory-mapped weights in their storage
/// types, from a GGUF file or a HF folder. The model is written once as a graph of named ops.
/// </summary>
public sealed class Model : IDisposable
{
    private Model() => throw new NotImplementedException();

    /// <summary>Loads a GGUF file or a HF folder; errors name the file and problem.</summary>
    public static Model Load(string path) => throw new NotImplementedException();

    public string Path => throw new NotImplementedException();
    /// <summary>"gguf" or "hf".</summary>
    public string Format => throw new NotImplementedException();
    public ModelConfig Config => throw new NotImplementedException();
    public ITokenizer Tokenizer => throw new NotImplementedException();
    public ChatTemplate? ChatTemplate => throw new NotImplementedException();
    public ITensorSource Weights => throw new NotImplementedException();
    /// <summary>Extra stop ids from generation_config.json (eos_token_id list), merged with the tokenizer's.</summary>
    public IReadOnlyList<int> EosIds => throw new NotImplementedException();

    /// <summary>
    /// Builds the graph of one step over <paramref name="tokenCount"/> tokens: inputs "tokens" and
    /// "positions" (I32 [T]); output "logits" F32 [T, vocab] if <paramref name="allLogits"/>, else [1, vocab] for the last token.
    /// </summary>
    public ComputeGraph BuildStepGraph(int tokenCount, KvCacheBuffers cache, bool allLogits) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
