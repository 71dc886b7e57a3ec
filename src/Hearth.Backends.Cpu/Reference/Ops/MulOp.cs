namespace Hearth.Backends.Cpu.Reference.Ops;

// a [T, n] * b [T, n] or b [n] (repeated for every row) -> dst [T, n]
internal static class MulOp
{
    public static void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst)
    {
        for (int i = 0; i < a.Length; i++) dst[i] = a[i] * b[i % b.Length];
    }
}
