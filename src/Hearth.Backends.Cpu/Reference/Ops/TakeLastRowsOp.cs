namespace Hearth.Backends.Cpu.Reference.Ops;

// x [T, n] -> dst [count, n] = x[T - count .. T)
internal static class TakeLastRowsOp
{
    public static void Run(ReadOnlySpan<float> x, int count, int width, Span<float> dst)
    {
        x[^(count * width)..].CopyTo(dst);
    }
}
