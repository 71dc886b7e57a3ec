using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Threading;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests.Simd;

/// <summary>
/// The 16-row column panels of the fast cpu backend (F32, F16, BF16), checked directly at every vector width, whatever
/// this machine picks: 512-bit lanes (whole panels, pairs of 16-bit panels widened to F32 once per token chunk of 5+
/// tokens, an unpaired last panel), 256-bit lanes (AVX2: half panels, 16-bit panels widened to F32 once per token chunk,
/// eight-unit decode) and 128-bit lanes (Arm64: quarter panels on the 256-bit schedule). Against a double computation from the original rows, and bit for bit
/// against each other and against one token at a time (every output is one FMA chain over k in order).
/// </summary>
public unsafe class PanelKernelTests
{
    [Theory]
    [InlineData(TensorType.F32, 37)]
    [InlineData(TensorType.F32, 64)]
    [InlineData(TensorType.F16, 37)]
    [InlineData(TensorType.F16, 64)]
    [InlineData(TensorType.BF16, 37)]
    [InlineData(TensorType.BF16, 64)]
    public void Panels_match_the_rows_at_every_width_and_any_token_count(TensorType type, int width)
    {
        const int rows = 80;  // five panels: at 512 bits the last one has no partner; at 256 bits one eight-unit decode pass and more
        var random = new Random(5 + (int)type + width);
        var (weight, dense) = RandomWeight(type, random, rows, width);
        using var pool = new CpuThreadPool(1);
        var panels = PanelWeights.Repack(weight, pool);
        Assert.Equal(5, panels.Groups);

        foreach (int tokens in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 70 })
        {
            var x = new float[tokens * width];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
            var wide = Run<Lanes512, Vector512<float>>(panels, x, tokens, rows);
            var narrow = Run<Lanes256, Vector256<float>>(panels, x, tokens, rows);
            for (int t = 0; t < tokens; t++)
                for (int r = 0; r < rows; r++)
                {
                    double expected = 0;
                    for (int k = 0; k < width; k++) expected += (double)dense[r * width + k] * x[t * width + k];
                    float actual = wide[t * rows + r];
                    Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"{type} T={tokens} token {t} row {r}: {actual} vs {expected}");
                }
            Assert.Equal(wide, narrow);
            Assert.Equal(wide, Run<Lanes128, Vector128<float>>(panels, x, tokens, rows));
            // Token t alone gives the same bits as inside the batch.
            foreach (int t in new[] { 0, tokens - 1 })
            {
                var alone = Run<Lanes256, Vector256<float>>(panels, x.AsSpan(t * width, width).ToArray(), 1, rows);
                Assert.Equal(narrow.AsSpan(t * rows, rows).ToArray(), alone);
                Assert.Equal(alone, Run<Lanes512, Vector512<float>>(panels, x.AsSpan(t * width, width).ToArray(), 1, rows));
                Assert.Equal(alone, Run<Lanes128, Vector128<float>>(panels, x.AsSpan(t * width, width).ToArray(), 1, rows));
            }
        }
    }

    // Decode and batches of up to 4 tokens read F16 panels against x prescaled by 2^(112 - shift) (unless some |x| >=
    // 2^(16 + shift), which would overflow there); larger batches widen the panels exactly. Both must give the same bits
    // at any magnitude of x. These weights are below 10, so the panel is shifted by 10.
    [Theory]
    [InlineData(1e-40)]   // x subnormal: x 2^112 is normal
    [InlineData(1.0)]
    [InlineData(30000.0)] // just under the prescaling limit
    [InlineData(1e5)]     // over the limit of an unshifted panel (2^16), under that of this one (2^26)
    [InlineData(1e8)]     // over it: the widened path
    public void F16_panels_give_the_same_bits_alone_and_in_batches_at_any_activation_magnitude(double magnitude)
    {
        const int rows = 80, width = 64;
        var random = new Random(11);
        var (weight, dense) = RandomWeight(TensorType.F16, random, rows, width);
        using var pool = new CpuThreadPool(1);
        var panels = PanelWeights.Repack(weight, pool);
        const int tokens = 6;
        var x = new float[tokens * width];
        for (int i = 0; i < x.Length; i++) x[i] = (float)((random.NextDouble() * 2 - 1) * magnitude);
        var batch = Run<Lanes256, Vector256<float>>(panels, x, tokens, rows);
        for (int t = 0; t < tokens; t++)
        {
            var row = x.AsSpan(t * width, width).ToArray();
            var alone = Run<Lanes256, Vector256<float>>(panels, row, 1, rows);
            Assert.Equal(batch.AsSpan(t * rows, rows).ToArray(), alone);
            Assert.Equal(alone, Run<Lanes512, Vector512<float>>(panels, row, 1, rows));
            Assert.Equal(alone, Run<Lanes128, Vector128<float>>(panels, row, 1, rows));
            var pair = Run<Lanes256, Vector256<float>>(panels, x.AsSpan(t / 2 * 2 * width, 2 * width).ToArray(), 2, rows);
            Assert.Equal(alone, pair.AsSpan(t % 2 * rows, rows).ToArray());
            for (int r = 0; r < rows; r++)
            {
                double expected = 0, scale = 0;
                for (int k = 0; k < width; k++)
                {
                    expected += (double)dense[r * width + k] * row[k];
                    scale += Math.Abs((double)dense[r * width + k] * row[k]);
                }
                Assert.True(Math.Abs(alone[r] - expected) <= 1e-5 * scale + 1e-43, $"x ~ {magnitude} token {t} row {r}: {alone[r]} vs {expected}");
            }
        }
    }

    // F16 panels store w 2^shift, the shift as large as the largest |w| allows (up to 10, which makes f16 subnormals
    // normal), and every path must still multiply by exactly w: one-hot rows of x read the weights back, bit for bit,
    // through the widened path (37 tokens), decode (1 token, prescaled x) and small batches too large to prescale.
    [Theory]
    [InlineData(0.0, 10)]       // the random weights alone (below 10): subnormals become normal
    [InlineData(1000.0, 6)]     // exponent field 24: some subnormals stay subnormal, shifted
    [InlineData(60000.0, 0)]    // field 30: no room to shift
    public void F16_panels_hold_the_exact_weights_at_any_range(double largest, int shift)
    {
        const int rows = 48, width = 37;
        var random = new Random(21);
        var (weight, dense) = RandomWeight(TensorType.F16, random, rows, width);
        if (largest > 0)
        {
            var h = (Half)largest;
            BitConverter.TryWriteBytes(new Span<byte>((void*)(weight.Data + 2 * (5 * width + 3)), 2), h);
            dense[5 * width + 3] = (float)h;
        }
        Assert.Contains(dense, v => v != 0 && Math.Abs(v) < 6.1e-5f);  // f16 subnormals in the matrix
        using var pool = new CpuThreadPool(1);
        var panels = PanelWeights.Repack(weight, pool);
        Assert.Equal(shift, panels.F16Shift);

        var identity = new float[width * width];
        for (int k = 0; k < width; k++) identity[k * width + k] = 1;
        var all = Run<Lanes512, Vector512<float>>(panels, identity, width, rows);
        Assert.Equal(all, Run<Lanes256, Vector256<float>>(panels, identity, width, rows));
        for (int k = 0; k < width; k++)
            for (int r = 0; r < rows; r++)
                Assert.True(dense[r * width + k] == all[k * rows + r], $"widened w[{r},{k}]: {all[k * rows + r]} vs {dense[r * width + k]}");
        foreach (int k in new[] { 0, 3, 17, width - 1 })
        {
            var oneHot = identity.AsSpan(k * width, width).ToArray();
            foreach (var alone in new[] { Run<Lanes512, Vector512<float>>(panels, oneHot, 1, rows), Run<Lanes256, Vector256<float>>(panels, oneHot, 1, rows), Run<Lanes128, Vector128<float>>(panels, oneHot, 1, rows) })
                for (int r = 0; r < rows; r++) Assert.True(dense[r * width + k] == alone[r], $"decode w[{r},{k}]: {alone[r]} vs {dense[r * width + k]}");
            // 2^40: over every prescaling limit, so two tokens of it go through the widened path.
            var big = new float[2 * width];
            big[k] = big[width + k] = MathF.ScaleB(1, 40);
            var pair = Run<Lanes512, Vector512<float>>(panels, big, 2, rows);
            for (int r = 0; r < rows; r++) Assert.True(MathF.ScaleB(dense[r * width + k], 40) == pair[rows + r], $"large x w[{r},{k}]");
        }
    }

    private static float[] Run<TL, TV>(PanelWeights panels, float[] x, int tokens, int rows) where TL : struct, IPanelLanes<TV> where TV : struct
    {
        var dst = new float[tokens * rows];
        fixed (float* xp = x)
        fixed (float* dp = dst)
            PanelGemm.Run<TL, TV>(panels, 0, panels.Groups, xp, tokens, dp, rows);
        return dst;
    }

    // Values of both signs over many magnitudes, zeros, negative zeros and (F16) subnormals; dense holds them as floats.
    private static (HostTensor Weight, float[] Dense) RandomWeight(TensorType type, Random random, int rows, int width)
    {
        int n = rows * width;
        var dense = new float[n];
        var bytes = new byte[n * (type == TensorType.F32 ? 4 : 2)];
        for (int i = 0; i < n; i++)
        {
            double v = (random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 2));
            if (i % 17 == 0) v = random.Next(2) == 0 ? 0.0 : -0.0;
            if (i % 23 == 0) v = (random.NextDouble() * 2 - 1) * 5e-6;  // an f16 subnormal
            switch (type)
            {
                case TensorType.F32:
                    dense[i] = (float)v;
                    BitConverter.TryWriteBytes(bytes.AsSpan(4 * i, 4), dense[i]);
                    break;
                case TensorType.F16:
                    var h = (Half)v;
                    dense[i] = (float)h;
                    BitConverter.TryWriteBytes(bytes.AsSpan(2 * i, 2), h);
                    break;
                default:
                    uint bits = BitConverter.SingleToUInt32Bits((float)v) & 0xFFFF0000u;  // truncated to bf16
                    dense[i] = BitConverter.UInt32BitsToSingle(bits);
                    BitConverter.TryWriteBytes(bytes.AsSpan(2 * i, 2), (ushort)(bits >> 16));
                    break;
            }
        }
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        return (new HostTensor("w", type, new Shape(rows, width), handle.AddrOfPinnedObject(), bytes.Length, handle), dense);
    }
}
