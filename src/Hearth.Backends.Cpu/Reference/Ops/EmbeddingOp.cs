using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference.Ops;

// table [vocab, dim] (any storage type), ids [T] -> dst [T, dim] = table[ids[t]] dequantized
internal static class EmbeddingOp
{
    public static void Run(string name, WeightRows table, int vocab, ReadOnlySpan<int> ids, Span<float> dst)
    {
        int dim = table.Width;
        for (int t = 0; t < ids.Length; t++)
        {
            int id = ids[t];
            if (id < 0 || id >= vocab)
                throw new HearthException($"graph node '{name}': token id {id} at row {t} is outside the vocabulary [0, {vocab})");
            table.DequantizeRow(id, dst.Slice(t * dim, dim));
        }
    }
}
