using Hearth.Compute;
using Hearth.Models;
using Hearth.Tokenizers;

namespace Hearth.Runtime.Generation;

/// <summary>What the generator needs from a model: its shape, tokenizer, stop ids and step graph.</summary>
public interface IGenerativeModel
{
    ModelConfig Config { get; }
    ITokenizer Tokenizer { get; }
    /// <summary>Every id that ends generation.</summary>
    IReadOnlyList<int> EosIds { get; }

    /// <summary>Graph of one step over <paramref name="tokenCount"/> tokens: inputs "tokens" and "positions",
    /// output "logits" F32 [1, vocab] (last token) or [T, vocab] with <paramref name="allLogits"/>.</summary>
    ComputeGraph BuildStepGraph(int tokenCount, KvCacheBuffers cache, bool allLogits);

    /// <summary>Graph of one batched step over a paged cache (see <see cref="Model.BuildBatchStepGraph"/>); models that
    /// cannot batch keep the default, and the batching engine refuses them.</summary>
    ComputeGraph BuildBatchStepGraph(BatchStepShape shape, KvCacheBuffers cache) =>
        throw new NotSupportedException($"{GetType().Name} does not build batched step graphs");
}

/// <summary>A loaded <see cref="Model"/> seen as an <see cref="IGenerativeModel"/>.</summary>
public sealed class ModelAdapter(Model model) : IGenerativeModel
{
    public Model Model { get; } = model ?? throw new ArgumentNullException(nameof(model));
    public ModelConfig Config => Model.Config;
    public ITokenizer Tokenizer => Model.Tokenizer;
    public IReadOnlyList<int> EosIds => Model.EosIds;
    public ComputeGraph BuildStepGraph(int tokenCount, KvCacheBuffers cache, bool allLogits) => Model.BuildStepGraph(tokenCount, cache, allLogits);
    public ComputeGraph BuildBatchStepGraph(BatchStepShape shape, KvCacheBuffers cache) => Model.BuildBatchStepGraph(shape, cache);
}
