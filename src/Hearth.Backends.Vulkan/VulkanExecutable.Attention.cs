using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

/// <summary>Which attention kernel a graph uses; <see cref="Auto"/> picks by shape when the graph is compiled.</summary>
internal enum AttentionKernel
{
    Auto,

    /// <summary>attention.comp: one workgroup per (head, row); for devices with under 30 KiB of shared memory.</summary>
    Simple,

    /// <summary>attention_tiles.comp: a workgroup per tile of query vectors walks all their key chunks.</summary>
    Flash,

    /// <summary>attention_tiles.comp -DSPLIT + attention_combine.comp: the key chunks spread over more workgroups.</summary>
    Split,
}

// Attention: the kernel by shape (flash for prefill, split-K for decode over long contexts), its tiling, and the
// split-K scratch planned in the arena.
public sealed partial class VulkanExecutable
{
    /// <summary>Floats of the K/V chunk, the query vectors and the scores in attention_tiles.comp's shared memory.</summary>
    private const int KvTileFloats = 4096, QueryTileFloats = 2048, MaxQueryVectors = 16, MaxChunk = 64;

    /// <summary>Shared memory attention_tiles.comp needs (its arrays plus common.glsl's), rounded up.</summary>
    private const uint TiledAttentionSharedBytes = 30 * 1024;

    /// <summary>Split-K scratch above this many bytes is not worth it: fall back to the flash kernel.</summary>
    private const long MaxSplitScratchBytes = 256L << 20;

    private readonly Dictionary<Node, Slice> _attentionScratch = [];

    /// <param name="Chunk">Keys per chunk (a function of the head dimension only: the chunk grid fixes the sums' order).</param>
    /// <param name="HeadsPerGroup">Query heads of one KV head per workgroup.</param>
    /// <param name="GroupsPerKv">Workgroups per KV head and row tile.</param>
    /// <param name="RowsPerTile">Query rows per workgroup.</param>
    /// <param name="Splits">Workgroups the key chunks of a tile are spread over (1: flash, no scratch).</param>
    /// <param name="ChunksPerSplit">Chunks per split workgroup.</param>
    /// <param name="MaxChunks">Chunks of the longest context the cache or block table allows.</param>
    internal sealed record AttentionPlan(AttentionKernel Kernel, int Chunk, int HeadsPerGroup, int GroupsPerKv, int RowsPerTile,
        int Splits, int ChunksPerSplit, int MaxChunks, int Tokens, int Heads, int HeadDim)
    {
        /// <summary>Partials of split-K: [T, heads, maxChunks, headDim + 2] floats.</summary>
        public long ScratchBytes => Kernel == AttentionKernel.Split ? 4L * Tokens * Heads * MaxChunks * (HeadDim + 2) : 0;

        public long FlatGroups(int kvHeads) => (long)kvHeads * GroupsPerKv * ((Tokens + RowsPerTile - 1) / RowsPerTile);
    }

    internal AttentionPlan PlanAttention(Node node)
    {
        var p = node.P<AttentionParams>();
        int tokens = VulkanSupport.Rows(node.Inputs[0]), d = p.HeadDim;
        int capacity = Math.Min(VulkanSupport.CacheOf(node.Inputs[2])!.Capacity, VulkanSupport.CacheOf(node.Inputs[3])!.Capacity);
        var forced = _device.AttentionKernel;
        if (forced == AttentionKernel.Simple || forced == AttentionKernel.Auto && _context.MaxSharedMemoryBytes < TiledAttentionSharedBytes)
            return new AttentionPlan(AttentionKernel.Simple, 0, 0, 0, 0, 1, 0, 0, tokens, p.HeadCount, d);

        int chunk = Math.Min(MaxChunk, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(KvTileFloats / d + 1)) / 2);
        int maxVectors = Math.Min(MaxQueryVectors, QueryTileFloats / d);
        int groupHeads = p.HeadCount / p.KvHeadCount;
        int headsPerGroup = Math.Min(groupHeads, maxVectors);
        int groupsPerKv = (groupHeads + headsPerGroup - 1) / headsPerGroup;
        int rowsPerTile = Math.Max(1, maxVectors / headsPerGroup);
        long context = p.IsPaged ? (long)p.MaxBlocksPerSeq * p.BlockSize : capacity;
        int maxChunks = (int)Math.Min(int.MaxValue, (context + chunk - 1) / chunk);
        var plan = new AttentionPlan(AttentionKernel.Flash, chunk, headsPerGroup, groupsPerKv, rowsPerTile, 1, maxChunks, maxChunks, tokens, p.HeadCount, d);
        if (forced == AttentionKernel.Flash) return plan;

        // Split-K when the tiles alone leave the device idle: aim at enough workgroups to fill a GPU, or a few per
        // thread of a CPU driver such as lavapipe, each split keeping at least two chunks. The split count depends on
        // the cache's size (the longest context), not on the positions of a step, and the results do not depend on it
        // at all (see attention_tiles.comp).
        long groups = plan.FlatGroups(p.KvHeadCount);
        long target = _context.Info.IsGpu ? 1024 : 4L * CpuDriverThreads();
        int splits = (int)Math.Min(maxChunks / 2, (target + groups - 1) / groups);
        if (forced == AttentionKernel.Split) splits = Math.Max(2, Math.Min(maxChunks, 8));
        if (splits < 2) return plan;
        int perSplit = (maxChunks + splits - 1) / splits;
        var split = plan with { Kernel = AttentionKernel.Split, Splits = (maxChunks + perSplit - 1) / perSplit, ChunksPerSplit = perSplit };
        bool fits = split.ScratchBytes <= Math.Min(MaxSplitScratchBytes, _device.ActivationBindingBytes);
        return fits || forced == AttentionKernel.Split ? split : plan;
    }

    // lavapipe runs workgroups on LP_NUM_THREADS threads (default: every core).
    private static int CpuDriverThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("LP_NUM_THREADS"), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out int threads) && threads > 0 ? threads : Environment.ProcessorCount;

    // q [T, heads * headDim], positions [T], K/V caches [rows, kvHeads * headDim], block tables [T * maxBlocks] -> [T, heads * headDim]
    private void EncodeAttention(Node node)
    {
        var inputs = node.Inputs;
        var p = node.P<AttentionParams>();
        var k = VulkanSupport.CacheOf(inputs[2])!;
        var v = VulkanSupport.CacheOf(inputs[3])!;
        int tokens = VulkanSupport.Rows(inputs[0]);
        if (k.Type != v.Type) throw new HearthException($"graph node '{node.Name}': K and V caches must have the same type");
        int capacity = Math.Min(k.Capacity, v.Capacity);
        if (p.IsPaged)
            _pagedChecks.Add((node.Name, inputs[1], inputs[4], p, capacity / p.BlockSize));
        else
            _inputChecks.Add((inputs[1], capacity, "positions: past the KV cache; the context is full"));
        var table = p.IsPaged ? Value(inputs[4]) : Value(inputs[1]);  // unused without paging, but every binding needs a buffer
        string cache = k.Type == TensorType.F16 ? "f16" : "f32";
        var plan = PlanAttention(node);
        if (plan.Kernel == AttentionKernel.Simple)
        {
            Add("attention_" + cache, [Value(inputs[0]), Value(inputs[1]), Value(inputs[2]), Value(inputs[3]), Value(node), table],
                [(uint)tokens, (uint)p.HeadCount, (uint)p.KvHeadCount, (uint)p.HeadDim, F(p.Scale), (uint)p.SlidingWindow,
                    (uint)p.BlockSize, (uint)p.MaxBlocksPerSeq],
                p.HeadCount, (uint)tokens, AttentionWorkGroup);
            return;
        }
        bool split = plan.Kernel == AttentionKernel.Split;
        var output = split ? _attentionScratch[node] : Value(node);
        uint[] push =
        [
            (uint)tokens, (uint)p.HeadCount, (uint)p.KvHeadCount, (uint)p.HeadDim, F(p.Scale), (uint)p.SlidingWindow, (uint)p.BlockSize,
            (uint)p.MaxBlocksPerSeq, (uint)capacity, (uint)plan.HeadsPerGroup, (uint)plan.GroupsPerKv, (uint)plan.RowsPerTile,
            (uint)plan.ChunksPerSplit, (uint)plan.MaxChunks,
        ];
        Add((split ? "attention_split_" : "attention_flash_") + cache, [Value(inputs[0]), Value(inputs[1]), Value(inputs[2]), Value(inputs[3]), output, table],
            push, plan.FlatGroups(p.KvHeadCount), (uint)plan.Splits, AttentionWorkGroup, (uint)plan.Chunk, (uint)p.HeadDim);
        if (split)
        {
            Add("attention_combine", [output, Value(inputs[1]), Value(node)],
                [(uint)tokens, (uint)p.HeadCount, (uint)p.HeadDim, (uint)p.SlidingWindow, (uint)plan.MaxChunks, (uint)plan.Chunk],
                (long)tokens * p.HeadCount, 1, AttentionWorkGroup);
        }
    }
}
