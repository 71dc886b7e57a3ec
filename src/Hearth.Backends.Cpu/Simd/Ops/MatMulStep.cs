using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Threading;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Cpu.Simd.Ops;

// x [T, in] (F32) @ W [out, in]^T (storage type) -> dst [T, out]. Quantized weights: x is quantized to 8 bits
// once (rows in parallel), then output rows are split over the thread pool; each row is read once and used for all
// T tokens. Weights with an interleaved form (InterleavedWeights) run 8 rows at a time through InterleavedGemm; the
// rows past the last group of 8 use the per-row kernels. Which kernel computes an output depends only on its row,
// never on T (batch invariance).
internal sealed unsafe class MatMulStep(
    float* x, byte* weight, TensorType type, int tokens, int inFeatures, int outFeatures, float* dst,
    QuantizedActivations activations, CpuThreadPool pool, InterleavedWeights? interleaved = null, PanelWeights? panels = null) : Step, IParallelWork
{
    private readonly long _rowBytes = TensorTypes.RowBytes(type, inFeatures);
    // Work items before the single rows: interleaved groups of 8 rows, or pairs of 16-row panels.
    private readonly int _groups = interleaved?.Groups ?? (panels is null ? 0 : (panels.Groups + 1) / 2);
    private readonly int _firstSingleRow = interleaved is not null ? interleaved.Groups * 8 : panels is not null ? panels.Groups * PanelWeights.Rows : 0;
    private readonly InterleavedGemm.DotKind _dot = interleaved is null ? InterleavedGemm.DotKind.Auto : InterleavedGemm.Chosen(interleaved);
    private readonly QuantizeWork _quantize = new(activations, x);

    /// <summary>Types with a SIMD kernel here; the others (Q8_1, Q8_K weights) use Core's scalar RowDot.</summary>
    public static bool HasSimdKernel(TensorType type) => ActivationBlock(type) >= 0;

    /// <summary>Activation block size for the type: 0 = float activations, 32 = Q8_0-like, 256 = Q8_K-like; -1 = no SIMD kernel.</summary>
    public static int ActivationBlock(TensorType type) => type switch
    {
        TensorType.F32 or TensorType.F16 or TensorType.BF16 => 0,
        TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1 or TensorType.Q8_0 => 32,
        TensorType.Q2_K or TensorType.Q3_K or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K => 256,
        _ => -1,
    };

    public override string Label =>
        $"MatMul {type} {(interleaved is not null ? "interleaved " + _dot : panels is not null ? "panels" : "rows")} T{(tokens == 1 ? "=1" : ">1")}";

    /// <summary>The input this product reads (products of one input can share its quantization: <see cref="MatMulGroupStep"/>).</summary>
    internal float* X => x;
    internal int Tokens => tokens;
    internal int InFeatures => inFeatures;
    /// <summary>Activation block: interleaved weights (Q4_K included: its sub-blocks of 32 become blocks) take Q8_0-like activations.</summary>
    internal int Block => interleaved is not null ? 32 : ActivationBlock(type);
    internal bool NeedsSums16 => interleaved?.HalfScales ?? false;
    /// <summary>Work items: the interleaved groups of 8 rows (or panel pairs), then the remaining single rows.</summary>
    internal int Items => _groups + outFeatures - _firstSingleRow;
    // Chunks small enough that both cores end together, large enough to amortise the claim, and whole decode tiles.
    internal int Chunk => _groups > 0 ? RoundUp(Math.Max(1, Items / (pool.ThreadCount * 8)), TileItems) : Math.Max(4, outFeatures / (pool.ThreadCount * 16));

    /// <summary>
    /// Work items the decode tile reads at once: four interleaved groups (InterleavedGemm.Tile4, InterleavedKGemm.Decode4)
    /// or two panel pairs (PanelGemm.Decode4 / Decode8). A chunk that ends inside a tile leaves its last items to the
    /// narrower tiles, which keep fewer weight streams in flight: F16 gate/up products (5632 x 2048) chunked by 11 panel
    /// pairs read at 13.5 GB/s on two threads, by 12 at 26.9 (Xeon, 2 vCPUs).
    /// </summary>
    internal int TileItems => interleaved is not null ? 4 : panels is not null ? 2 : 1;

    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    public override void Run()
    {
        QuantizeInput(NeedsSums16);
        pool.Run(this, Items, Chunk);
    }

    /// <summary>Quantizes x into the shared activations when the kernels read 8-bit activations.</summary>
    internal void QuantizeInput(bool sums16)
    {
        int block = Block;
        if (block <= 0) return;
        activations.Prepare(inFeatures, block, sums16);
        if (tokens >= 4) pool.Run(_quantize, tokens, Math.Max(1, tokens / (pool.ThreadCount * 4)));
        else activations.QuantizeRows(x, 0, tokens);
    }

    public void Execute(int start, int end, int worker)
    {
        if (start < _groups)
        {
            int last = Math.Min(end, _groups);
            if (interleaved is not null) InterleavedGemm.Run(interleaved, start, last, activations, 0, tokens, dst, outFeatures, _dot);
            else PanelGemm.Run(panels!, 2 * start, Math.Min(2 * last, panels!.Groups), x, tokens, dst, outFeatures);
            if (end <= _groups) return;
            start = _groups;
        }
        Rows(start - _groups + _firstSingleRow, end - _groups + _firstSingleRow);
    }

    private sealed class QuantizeWork(QuantizedActivations activations, float* x) : IParallelWork
    {
        public void Execute(int start, int end, int worker) => activations.QuantizeRows(x, start, end);
    }

    // Output rows [start, end) with the per-row kernels.
    private void Rows(int start, int end)
    {
        int blocks32 = inFeatures / 32, blocks256 = inFeatures / 256;
        for (int r = start; r < end; r++)
        {
            byte* row = weight + r * _rowBytes;
            float* o = dst + r;
            switch (type)
            {
                case TensorType.F32: FloatDots.F32(row, inFeatures, x, inFeatures, tokens, o, outFeatures); break;
                case TensorType.F16: FloatDots.F16(row, inFeatures, x, inFeatures, tokens, o, outFeatures); break;
                case TensorType.BF16: FloatDots.BF16(row, inFeatures, x, inFeatures, tokens, o, outFeatures); break;
                case TensorType.Q4_0: LegacyDots.Row<Q4_0Block>(row, blocks32, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q4_1: LegacyDots.Row<Q4_1Block>(row, blocks32, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q5_0: LegacyDots.Row<Q5_0Block>(row, blocks32, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q5_1: LegacyDots.Row<Q5_1Block>(row, blocks32, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q8_0: LegacyDots.Row<Q8_0Block>(row, blocks32, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q2_K: KQuantDots.Row<Q2_KBlock>(row, blocks256, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q3_K: KQuantDots.Row<Q3_KBlock>(row, blocks256, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q4_K: KQuantDots.Row<Q4_KBlock>(row, blocks256, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q5_K: KQuantDots.Row<Q5_KBlock>(row, blocks256, activations, 0, tokens, o, outFeatures); break;
                case TensorType.Q6_K: KQuantDots.Row<Q6_KBlock>(row, blocks256, activations, 0, tokens, o, outFeatures); break;
                default:
                    // Scalar fallback: Core's reference dot (dequantizes one block at a time, no F32 copy of the row).
                    var rowSpan = new ReadOnlySpan<byte>(row, (int)_rowBytes);
                    for (int t = 0; t < tokens; t++)
                        o[(long)t * outFeatures] = RowDot.Dot(type, rowSpan, new ReadOnlySpan<float>(x + (long)t * inFeatures, inFeatures));
                    break;
            }
        }
    }
}
