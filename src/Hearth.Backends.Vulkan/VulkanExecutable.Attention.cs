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

    /// <summary>attention_tiles.comp -DSPLIT + attention_combine.comp: the key segments spread over more workgroups.</summary>
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
    /// <param name="SegmentChunks">Chunks per segment: the unit split-K spreads over workgroups, and the second level of
    /// every kernel's fold (a function of the cache size and the device, never of T, so rows stay batch-invariant).</param>
    /// <param name="MaxSegments">Segments of the longest context the cache or block table allows (split-K's workgroups in z).</param>
    internal sealed record AttentionPlan(AttentionKernel Kernel, int Chunk, int HeadsPerGroup, int GroupsPerKv, int RowsPerTile,
        int SegmentChunks, int MaxSegments, int Tokens, int Heads, int HeadDim)
    {
        /// <summary>Partials of split-K: [T, heads, maxSegments, headDim + 2] floats.</summary>
        public long ScratchBytes => Kernel == AttentionKernel.Split ? 4L * Tokens * Heads * MaxSegments * (HeadDim + 2) : 0;

        public long FlatGroups(int kvHeads) => (long)kvHeads * GroupsPerKv * ((Tokens + RowsPerTile - 1) / RowsPerTile);
    }

    internal AttentionPlan PlanAttention(Node node)
    {
        var p = node.P<AttentionParams>();
        int tokens = VulkanSupport.Rows(node.Inputs[0]), d = p.HeadDim;
        int capacity = Math.Min(VulkanSupport.CacheOf(node.Inputs[2])!.Capacity, VulkanSupport.CacheOf(node.Inputs[3])!.Capacity);
        var forced = _device.AttentionKernel;
        if (forced == AttentionKernel.Simple || forced == AttentionKernel.Auto && _context.MaxSharedMemoryBytes < TiledAttentionSharedBytes)
            return new AttentionPlan(AttentionKernel.Simple, 0, 0, 0, 0, 0, 0, tokens, p.HeadCount, d);

        int chunk = Math.Min(MaxChunk, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(KvTileFloats / d + 1)) / 2);
        int maxVectors = Math.Min(MaxQueryVectors, QueryTileFloats / d);
        int groupHeads = p.HeadCount / p.KvHeadCount;
        int headsPerGroup = Math.Min(groupHeads, maxVectors);
        int groupsPerKv = (groupHeads + headsPerGroup - 1) / headsPerGroup;
        int rowsPerTile = Math.Max(1, maxVectors / headsPerGroup);
        long context = p.IsPaged ? (long)p.MaxBlocksPerSeq * p.BlockSize : capacity;
        int maxChunks = (int)Math.Min(int.MaxValue / 2, (context + chunk - 1) / chunk);

        // Segments sized for decode (one row tile): enough split-K workgroups to fill a GPU, or a few per thread of a
        // CPU driver such as lavapipe, each segment keeping at least two chunks. Prefill folds the same segments.
        // Forced kernels (tests) use segments of 2 chunks, to cross many segment boundaries.
        long target = _context.Info.IsGpu ? 1024 : 4L * CpuDriverThreads();
        long decodeGroups = (long)p.KvHeadCount * groupsPerKv;
        int decodeSplits = (int)Math.Min(maxChunks / 2, (target + decodeGroups - 1) / decodeGroups);
        int segmentChunks = forced != AttentionKernel.Auto ? Math.Min(2, maxChunks)
            : decodeSplits < 2 ? maxChunks : (maxChunks + decodeSplits - 1) / decodeSplits;
        int maxSegments = (maxChunks + segmentChunks - 1) / segmentChunks;
        var plan = new AttentionPlan(AttentionKernel.Flash, chunk, headsPerGroup, groupsPerKv, rowsPerTile, segmentChunks, maxSegments, tokens, p.HeadCount, d);
        if (forced == AttentionKernel.Flash) return plan;
        var split = plan with { Kernel = AttentionKernel.Split };
        if (forced == AttentionKernel.Split) return split;
        // Split-K when this step's tiles alone leave the device idle and its partials fit.
        bool idle = plan.FlatGroups(p.KvHeadCount) < target && maxSegments >= 2;
        return idle && split.ScratchBytes <= Math.Min(MaxSplitScratchBytes, _device.ActivationBindingBytes) ? split : plan;
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
            (uint)plan.SegmentChunks, (uint)plan.MaxSegments,
        ];
        Add((split ? "attention_split_" : "attention_flash_") + cache, [Value(inputs[0]), Value(inputs[1]), Value(inputs[2]), Value(inputs[3]), output, table],
            push, plan.FlatGroups(p.KvHeadCount), split ? (uint)plan.MaxSegments : 1, AttentionWorkGroup, (uint)plan.Chunk, (uint)p.HeadDim);
        if (split)
        {
            Add("attention_combine", [output, Value(inputs[1]), Value(node)],
                [(uint)tokens, (uint)p.HeadCount, (uint)p.HeadDim, (uint)p.SlidingWindow, (uint)plan.MaxSegments, (uint)plan.Chunk, (uint)plan.SegmentChunks],
                (long)tokens * p.HeadCount, 1, AttentionWorkGroup);
        }
    }
}
