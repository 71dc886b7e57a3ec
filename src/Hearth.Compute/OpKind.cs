namespace Hearth.Compute;

/// <summary>
/// The op vocabulary. Shapes below are row-major, T = tokens in the step.
/// Every backend implements the ops it reports in <see cref="IComputeDevice.Supports"/>;
/// the CPU reference backend implements all of them.
/// </summary>
public enum OpKind
{
    /// <summary>Step input filled before each run (token ids or positions: I32 [T]).</summary>
    Input,
    /// <summary>Model weight in its storage type (<see cref="Node.Weight"/>).</summary>
    Weight,
    /// <summary>Small F32 constant computed by the model builder (<see cref="Node.Constant"/>), e.g. RoPE inverse frequencies.</summary>
    Constant,
    /// <summary>Persistent device state kept across steps (<see cref="Node.State"/>): KV cache of one layer, [capacity, kvHeads * headDim].</summary>
    State,

    /// <summary>table [vocab, dim] (any type), ids I32 [T] -> F32 [T, dim].</summary>
    Embedding,
    /// <summary>x [T, n], weight [n] -> x / sqrt(mean(x^2) + eps) * weight. <see cref="RmsNormParams"/>.</summary>
    RmsNorm,
    /// <summary>x [T, in] (F32), W [out, in] (any storage type) -> x @ W^T [T, out], dequantizing inside the dot product.</summary>
    MatMul,
    /// <summary>a [T, n] + b [T, n] or b [n] (broadcast over rows) -> [T, n].</summary>
    Add,
    /// <summary>a [T, n] * b [T, n] or b [n] (broadcast) -> [T, n].</summary>
    Mul,
    /// <summary>Multiply every element by <see cref="ScaleParams.Scale"/>.</summary>
    Scale,
    /// <summary>gate [T, n], up [T, n] -> silu(gate) * up.</summary>
    SiluMul,
    /// <summary>x [T, heads * headDim], positions I32 [T], invFreq F32 [headDim / 2] -> rotated x. <see cref="RopeParams"/>.</summary>
    Rope,
    /// <summary>src [T, kvHeads * headDim], slots I32 [T], cache State -> writes row slots[t] of the cache (a physical row of
    /// the paged pool; for one contiguous sequence the slot is the position); output aliases the cache. <see cref="KvWriteParams"/>.</summary>
    KvWrite,
    /// <summary>q [T, heads * headDim], positions I32 [T], kCache, vCache (the KvWrite outputs), and, when
    /// <see cref="AttentionParams.BlockSize"/> &gt; 0, blockTables I32 [T * MaxBlocksPerSeq] -> [T, heads * headDim].
    /// Causal: query t (p = positions[t]) attends the logical positions j with max(0, p - window + 1) &lt;= j &lt;= p of its own
    /// sequence. Paged: logical j is cache row blockTables[t * MaxBlocksPerSeq + j / BlockSize] * BlockSize + j % BlockSize,
    /// so tokens of many sequences share one step; without a block table, row j (one contiguous sequence, identity table).
    /// <see cref="AttentionParams"/>.</summary>
    Attention,
    /// <summary>x [T, n] -> rows x[T - count .. T) [count, n] (e.g. only the last token goes to the LM head). <see cref="TakeLastRowsParams"/>.</summary>
    TakeLastRows,
    /// <summary>x [T, n], rows I32 [R] -> [R, n] = x[rows[r]] (a batched step sends each sequence's last token to the LM head).</summary>
    GatherRows,
    /// <summary>x [R, n] -> F32 [R, 2K + 2] per row: the K largest values in descending order (the lower index first on
    /// ties; NaN counts as -inf, as the sampler treats it), their K indices (as floats: exact, n &lt; 2^24), the row's
    /// maximum and log(sum(exp(x - max))) (0 when the maximum is not finite), so a sampler reads a few hundred bytes
    /// instead of a vocabulary-sized row and still has exact log-probabilities of the candidates. <see cref="TopKParams"/>.</summary>
    TopK,
}

/// <summary>How RoPE pairs dimensions inside a head.</summary>
public enum RopeMode
{
    /// <summary>Adjacent pairs (2i, 2i+1): GGML "normal" mode, used by GGUF llama files (whose q/k weights are permuted).</summary>
    Interleaved,
    /// <summary>Half-split pairs (i, i + headDim/2): Hugging Face rotate_half, GGML NeoX mode (HF checkpoints, GGUF qwen2).</summary>
    NeoX,
}

public abstract record OpParams;
public sealed record RmsNormParams(float Eps) : OpParams;
public sealed record ScaleParams(float Scale) : OpParams;
/// <summary>RoPE over <paramref name="HeadCount"/> heads of <paramref name="HeadDim"/>; angle = position * invFreq[i] (rope scaling is folded into invFreq by the model builder).</summary>
public sealed record RopeParams(int HeadCount, int HeadDim, RopeMode Mode) : OpParams;
public sealed record KvWriteParams(int Layer) : OpParams;
/// <summary><paramref name="SlidingWindow"/> 0 means unlimited. <paramref name="BlockSize"/> 0: no block table (the cache rows are the
/// positions of one sequence); otherwise the paged layout of <see cref="OpKind.Attention"/> with <paramref name="MaxBlocksPerSeq"/>
/// table entries per token.</summary>
public sealed record AttentionParams(int Layer, int HeadCount, int KvHeadCount, int HeadDim, float Scale, int SlidingWindow,
    int BlockSize = 0, int MaxBlocksPerSeq = 0) : OpParams
{
    public bool IsPaged => BlockSize > 0;
}
public sealed record TakeLastRowsParams(int Count) : OpParams;
/// <summary><paramref name="K"/> candidates per row, 1 to <see cref="MaxK"/>.</summary>
public sealed record TopKParams(int K) : OpParams
{
    public const int MaxK = 256;
}
