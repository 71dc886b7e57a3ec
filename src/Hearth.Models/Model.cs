using Hearth.Compute;
using Hearth.Formats;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Models;

/// <summary>Per-layer KV cache buffers the step graph reads and writes ([capacity, kvHeads * headDim] each).</summary>
public sealed record KvCacheBuffers(IReadOnlyList<IStateBuffer> Keys, IReadOnlyList<IStateBuffer> Values);

/// <summary>Shape of a batched step over a paged KV cache (see <see cref="Model.BuildBatchStepGraph"/>).</summary>
/// <param name="TokenCount">T: tokens in the step, over all sequences.</param>
/// <param name="LogitRows">R: rows whose logits are computed (usually each sequence's last token of the step).</param>
/// <param name="BlockSize">Cache rows per block.</param>
/// <param name="MaxBlocksPerSeq">Block table entries per token.</param>
public sealed record BatchStepShape(int TokenCount, int LogitRows, int BlockSize, int MaxBlocksPerSeq)
{
    public void Validate()
    {
        if (TokenCount <= 0) throw new Core.HearthException($"a step needs at least one token, got {TokenCount}");
        if (LogitRows <= 0 || LogitRows > TokenCount) throw new Core.HearthException($"a step of {TokenCount} tokens cannot return logits for {LogitRows} rows");
        if (BlockSize <= 0) throw new Core.HearthException($"KV block size must be positive, got {BlockSize}");
        if (MaxBlocksPerSeq <= 0) throw new Core.HearthException($"blocks per sequence must be positive, got {MaxBlocksPerSeq}");
    }
}

/// <summary>
/// A loaded model: config, tokenizer, chat template and memory-mapped weights in their storage
/// types, from a GGUF file or a HF folder. The model is written once as a graph of named ops.
/// Config and weights are read and checked by <see cref="Load"/>; the tokenizer and chat template
/// are built on first use (weights-only consumers such as graph tests and quantization never
/// pay for them), and their errors surface then, naming their file.
/// </summary>
public sealed class Model : IDisposable
{
    private readonly IStepGraphBuilder _builder;
    private readonly Lazy<ITokenizer> _tokenizer;
    private readonly Lazy<ChatTemplate?> _chatTemplate;
    private readonly Lazy<IReadOnlyList<int>> _eosIds;
    private readonly Lazy<ModelInfo> _info;
    private bool _disposed;

    internal Model(ModelParts parts)
    {
        Path = parts.Path;
        Format = parts.Format;
        Architecture = parts.Architecture;
        Config = parts.Config;
        Weights = parts.Weights;
        _builder = parts.Builder;
        ChatTemplateSource = parts.ChatTemplateSource;
        _tokenizer = new Lazy<ITokenizer>(parts.CreateTokenizer);
        _chatTemplate = new Lazy<ChatTemplate?>(() => parts.ChatTemplateSource is { } source ? Tokenizers.ChatTemplates.ChatTemplate.Parse(source) : null);
        _eosIds = new Lazy<IReadOnlyList<int>>(() => [.. parts.FileEosIds.Concat(Tokenizer.EosIds).Distinct()]);
        _info = new Lazy<ModelInfo>(() => ModelInfo.Create(this, parts.TokenizerKind(), parts.Metadata));
    }

    /// <summary>Loads a GGUF file or a HF folder; errors name the file and problem.</summary>
    public static Model Load(string path) => ModelLoader.Load(path);

    public string Path { get; }
    /// <summary>"gguf" or "hf".</summary>
    public string Format { get; }
    public IArchitecture Architecture { get; }
    public ModelConfig Config { get; }
    public ITokenizer Tokenizer => _tokenizer.Value;
    public ChatTemplate? ChatTemplate => _chatTemplate.Value;
    /// <summary>The chat template text (tokenizer_config.json or GGUF tokenizer.chat_template), if any.</summary>
    public string? ChatTemplateSource { get; }
    public ITensorSource Weights { get; }
    /// <summary>Tensors the step graph uses (each once; a tied output shares the embedding).</summary>
    public IReadOnlyList<Core.HostTensor> UsedTensors => _builder.UsedTensors;
    /// <summary>Extra stop ids from generation_config.json (eos_token_id list), merged with the tokenizer's.</summary>
    public IReadOnlyList<int> EosIds => _eosIds.Value;
    /// <summary>Architecture, hyper-parameters, tokenizer kind, chat template and tensors (for `hearth info`).</summary>
    public ModelInfo Info => _info.Value;

    /// <summary>
    /// Builds the graph of one step over <paramref name="tokenCount"/> tokens: inputs "tokens" and
    /// "positions" (I32 [T]); output "logits" F32 [T, vocab] if <paramref name="allLogits"/>, else [1, vocab] for the last token.
    /// </summary>
    public ComputeGraph BuildStepGraph(int tokenCount, KvCacheBuffers cache, bool allLogits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _builder.Build(tokenCount, cache, allLogits);
    }

    /// <summary>
    /// Builds one batched step over a paged KV cache (the buffers are pools of whole blocks): T tokens from any number of
    /// sequences. Inputs (I32): "tokens" [T], "positions" [T] (each token's position in its own sequence), "kv_slots" [T]
    /// (the cache row its K/V go to), "block_tables" [T * MaxBlocksPerSeq] (its sequence's block table), "logit_rows" [R]
    /// (which of the T rows go to the LM head); output "logits" F32 [R, vocab]. Each row is computed exactly as it would be
    /// alone (batch invariance), so results never depend on what else is in the step.
    /// </summary>
    public ComputeGraph BuildBatchStepGraph(BatchStepShape shape, KvCacheBuffers cache)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _builder.BuildBatch(shape, cache);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Weights.Dispose();
    }
}

/// <summary>What a format loader hands to <see cref="Model"/>.</summary>
internal sealed record ModelParts(
    string Path,
    string Format,
    IArchitecture Architecture,
    ModelConfig Config,
    ITensorSource Weights,
    IStepGraphBuilder Builder,
    Func<ITokenizer> CreateTokenizer,
    string? ChatTemplateSource,
    IReadOnlyList<int> FileEosIds,
    Func<string> TokenizerKind,
    IReadOnlyList<KeyValuePair<string, string>> Metadata);
