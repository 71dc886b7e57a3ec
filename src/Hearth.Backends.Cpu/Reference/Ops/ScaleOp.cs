namespace Hearth.Backends.Cpu.Reference.Ops;

// x [...] * scale -> dst [...]
internal static class ScaleOp
{
    public static void Run(ReadOnlySpan<float> x, float scale, Span<float> dst)
    {
        for (int i = 0; i < x.Length; i++) dst[i] = x[i] * scale;
    }
}
