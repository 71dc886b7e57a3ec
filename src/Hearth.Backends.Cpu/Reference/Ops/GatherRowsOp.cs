using Hearth.Core;

namespace Hearth.Backends.Cpu.Reference.Ops;

// x [T, n], rows [R] -> dst [R, n] = x[rows[r]]
internal static class GatherRowsOp
{
    public static void Run(string name, ReadOnlySpan<float> x, ReadOnlySpan<int> rows, int width, Span<float> dst)
    {
        int available = x.Length / width;
        for (int r = 0; r < rows.Length; r++)
        {
            int row = rows[r];
            if (row < 0 || row >= available)
                throw new HearthException($"graph node '{name}': row index {row} at {r} is outside [0, {available})");
            x.Slice(row * width, width).CopyTo(dst.Slice(r * width, width));
        }
    }
}
