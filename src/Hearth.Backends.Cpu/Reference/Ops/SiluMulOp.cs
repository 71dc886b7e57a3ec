namespace Hearth.Backends.Cpu.Reference.Ops;

// gate [T, n], up [T, n] -> dst [T, n] = gate * sigmoid(gate) * up
internal static class SiluMulOp
{
    public static void Run(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> dst)
    {
        for (int i = 0; i < gate.Length; i++)
        {
            float g = gate[i];
            float silu = g / (1f + MathF.Exp(-g));
            dst[i] = silu * up[i];
        }
    }
}
