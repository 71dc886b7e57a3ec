using Hearth.Core;

namespace Hearth.Quantization.Conversion;

/// <summary>
/// One tensor of the output file and where its values come from.
/// </summary>
/// <param name="Name">GGUF name in the output.</param>
/// <param name="Shape">Row-major shape, outermost first.</param>
/// <param name="Source">The source tensor (memory-mapped, F32/F16/BF16), or null when <paramref name="Values"/> holds the data.</param>
/// <param name="PermuteHeads">
/// &gt; 0: the rows of each of this many heads are reordered from Hugging Face's rotate_half layout to
/// GGML's interleaved pairs (llama.cpp's converter permute); output row r takes source row <see cref="SourceRow"/>(r).
/// </param>
/// <param name="Values">Computed F32 data for small tensors that have no source (rope_freqs.weight).</param>
public sealed record SourceTensor(string Name, Shape Shape, HostTensor? Source, int PermuteHeads = 0, float[]? Values = null)
{
    public long RowCount => Shape.Rank <= 1 ? 1 : Shape.ElementCount / Shape.Last;
    public int RowLength => Shape.Rank == 0 ? 1 : Shape.Last;

    /// <summary>
    /// Source row of output row <paramref name="row"/>. Per head of d = rows / heads rows, HF keeps
    /// [first halves of the pairs..., second halves...]; GGML wants them interleaved: output row
    /// 2i + j (j in 0, 1) of a head is source row j * d/2 + i.
    /// </summary>
    public long SourceRow(long row)
    {
        if (PermuteHeads <= 0) return row;
        long headRows = RowCount / PermuteHeads;
        long head = row / headRows, within = row % headRows;
        long i = within / 2, j = within % 2;
        return head * headRows + j * (headRows / 2) + i;
    }
}
