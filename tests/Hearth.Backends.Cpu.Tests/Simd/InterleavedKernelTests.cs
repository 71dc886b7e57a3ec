using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Backends.Cpu.Threading;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Cpu.Tests.Simd;

/// <summary>
/// The interleaved 8-row kernels of the fast cpu backend, checked directly: every byte-dot implementation this machine
/// can run against scalar sums (they must be exact), and the repacked GEMM for each type and dot against a double
/// computation from Core's dequantized rows, for token counts that hit every tile size. The conformance suite checks
/// only the implementation the machine picks; this runs the others too.
/// </summary>
public unsafe class InterleavedKernelTests
{
    private static IEnumerable<InterleavedGemm.DotKind> Runnable(TensorType type)
    {
        yield return InterleavedGemm.DotKind.Portable;
        if (Avx2.IsSupported)
        {
            yield return InterleavedGemm.DotKind.Avx2Wide;
            if (type != TensorType.Q8_0) yield return InterleavedGemm.DotKind.Avx2Small;
            else yield return InterleavedGemm.DotKind.Avx2Signed;
        }
        if (AvxVnni.IsSupported) yield return InterleavedGemm.DotKind.Vnni;
        if (AdvSimd.Arm64.IsSupported) yield return type == TensorType.Q8_0 ? InterleavedGemm.DotKind.NeonSigned : InterleavedGemm.DotKind.NeonSmall;
        if (Dp.IsSupported) yield return type == TensorType.Q8_0 ? InterleavedGemm.DotKind.NeonDotSigned : InterleavedGemm.DotKind.NeonDotSmall;
    }

    [Fact]
    public void Byte_dots_are_exact()
    {
        var random = new Random(11);
        var u = new byte[32];
        var x = new sbyte[32];
        for (int trial = 0; trial < 200; trial++)
        {
            random.NextBytes(u);
            for (int i = 0; i < 32; i++) x[i] = (sbyte)random.Next(-127, 128);
            if (trial % 4 == 0) Array.Fill(u, (byte)255);
            if (trial % 4 == 1) Array.Fill(x, (sbyte)-127);
            if (trial % 4 == 2) { Array.Fill(u, (byte)0); Array.Fill(x, (sbyte)127); }
            var acc = Vector256.Create(trial, -trial, 7, 0, int.MaxValue / 2, -5, 3, 1);
            var expected = new int[8];
            for (int l = 0; l < 8; l++)
            {
                expected[l] = acc.GetElement(l);
                for (int i = 0; i < 4; i++) expected[l] += u[4 * l + i] * x[4 * l + i];
            }
            var uv = Vector256.Create(u);
            var xv = Vector256.Create(x);
            Assert.Equal(expected, ToArray(PortableByteDot.Add(acc, uv, xv)));
            if (Avx2.IsSupported) Assert.Equal(expected, ToArray(Avx2WideByteDot.Add(acc, uv, xv)));
            if (AvxVnni.IsSupported) Assert.Equal(expected, ToArray(VnniByteDot.Add(acc, uv, xv)));
            if (Avx2.IsSupported)
            {
                var expectedSigned = new int[8];
                for (int l = 0; l < 8; l++)
                {
                    expectedSigned[l] = acc.GetElement(l);
                    for (int i = 0; i < 4; i++) expectedSigned[l] += (u[4 * l + i] - 128) * x[4 * l + i];
                }
                Assert.Equal(expectedSigned, ToArray(Avx2SignedByteDot.Add(acc, uv, xv)));
                var small = Vector256.Min(uv, Vector256.Create((byte)Avx2SmallByteDot.MaxU));
                var expectedSmall = new int[8];
                for (int l = 0; l < 8; l++)
                {
                    expectedSmall[l] = acc.GetElement(l);
                    for (int i = 0; i < 4; i++) expectedSmall[l] += small.GetElement(4 * l + i) * x[4 * l + i];
                }
                Assert.Equal(expectedSmall, ToArray(Avx2SmallByteDot.Add(acc, small, xv)));
            }
            if (AdvSimd.Arm64.IsSupported)
            {
                // Arm's dots read u as signed bytes: at most 127 for the small ones, u - 128 for the signed ones (Q8_0).
                var small = Vector256.Min(uv, Vector256.Create((byte)NeonSmallByteDot.MaxU));
                var expectedSmall = new int[8];
                var expectedSigned = new int[8];
                for (int l = 0; l < 8; l++)
                {
                    expectedSmall[l] = expectedSigned[l] = acc.GetElement(l);
                    for (int i = 0; i < 4; i++)
                    {
                        expectedSmall[l] += small.GetElement(4 * l + i) * x[4 * l + i];
                        expectedSigned[l] += (u[4 * l + i] - 128) * x[4 * l + i];
                    }
                }
                Assert.Equal(expectedSmall, ToArray(NeonSmallByteDot.Add(acc, small, xv)));
                Assert.Equal(expectedSigned, ToArray(NeonSignedByteDot.Add(acc, uv, xv)));
                if (Dp.IsSupported)
                {
                    Assert.Equal(expectedSmall, ToArray(NeonDotSmallByteDot.Add(acc, small, xv)));
                    Assert.Equal(expectedSigned, ToArray(NeonDotSignedByteDot.Add(acc, uv, xv)));
                }
            }
        }
    }

    private static int[] ToArray(Vector256<int> v)
    {
        var a = new int[8];
        v.CopyTo(a);
        return a;
    }

    [Theory]
    [InlineData(TensorType.Q4_0)]
    [InlineData(TensorType.Q4_1)]
    [InlineData(TensorType.Q5_0)]
    [InlineData(TensorType.Q5_1)]
    [InlineData(TensorType.Q8_0)]
    [InlineData(TensorType.Q4_K)]
    [InlineData(TensorType.Q5_K)]
    [InlineData(TensorType.Q6_K)]
    [InlineData(TensorType.Q3_K)]
    [InlineData(TensorType.Q2_K)]
    public void Interleaved_gemm_matches_dequantized_rows_for_every_dot(TensorType type)
    {
        // 5 groups of 8 rows: a 4-group decode tile and a single group, or two 2-group tiles and a single group; 3 blocks
        // of 32 leave the last super-block part-filled.
        const int rows = 40;
        int width = TensorTypes.Info(type).BlockSize == 256 ? 512 : 96;
        var random = new Random(3 + (int)type);
        var weight = RandomWeight(type, random, rows, width);
        var dense = new float[rows * width];
        for (int r = 0; r < rows; r++) Dequant.Row(type, weight.RowBytes(r), dense.AsSpan(r * width, width));
        using var pool = new CpuThreadPool(1);
        var packed = InterleavedWeights.Repack(weight, pool);
        Assert.Equal(rows / 8, packed.Groups);

        foreach (int tokens in new[] { 1, 2, 3, 4, 7, 70 })
        {
            var x = new float[tokens * width];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
            var activations = new QuantizedActivations(x.Length);
            fixed (float* xp = x) activations.Quantize(xp, tokens, width, 32);

            var expected = new double[tokens * rows];
            for (int t = 0; t < tokens; t++)
                for (int r = 0; r < rows; r++)
                {
                    double sum = 0;
                    for (int i = 0; i < width; i++) sum += (double)dense[r * width + i] * activations.Qs(t)[i] * activations.Scales(t)[i / 32];
                    expected[t * rows + r] = sum;
                }

            float[]? first = null;
            foreach (var dot in Runnable(type))
            {
                var actual = new float[tokens * rows];
                fixed (float* dst = actual) InterleavedGemm.Run(packed, 0, packed.Groups, activations, 0, tokens, dst, rows, dot);
                for (int i = 0; i < actual.Length; i++)
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])),
                        $"{type} {dot} T={tokens} element {i}: {actual[i]} vs {expected[i]}");
                // Integer dots are exact, so every implementation gives the same floats.
                if (first is null) first = actual;
                else Assert.Equal(first, actual);
                // Batch invariance: a token's outputs are the same bits whatever the tile (two groups a tile for several
                // tokens, one for a single token) and whatever else is in the batch.
                var alone = new float[rows];
                for (int t = 0; t < tokens; t++)
                {
                    fixed (float* dst = alone) InterleavedGemm.Run(packed, 0, packed.Groups, activations, t, t + 1, dst - (long)t * rows, rows, dot);
                    Assert.Equal(actual.AsSpan(t * rows, rows).ToArray(), alone);
                }
            }
        }
    }

    [Fact]
    public void Weights_with_a_non_finite_scale_keep_the_per_row_kernels()
    {
        // The interleaved form widens f16 scales with arithmetic that is exact only for finite values.
        var random = new Random(5);
        var weight = RandomWeight(TensorType.Q4_0, random, 16, 64);
        using var pool = new CpuThreadPool(1);
        Assert.Equal(InterleavedWeights.Supports(TensorType.Q4_0), InterleavedWeights.For(weight, pool) is not null);
        var broken = RandomWeight(TensorType.Q4_0, random, 16, 64);
        BitConverter.TryWriteBytes(new Span<byte>((void*)broken.Data, 2), Half.PositiveInfinity);
        Assert.Null(InterleavedWeights.For(broken, pool));
    }

    [Fact]
    public void Finite_halves_widen_exactly()
    {
        var bits = new ushort[65536];
        for (int i = 0; i < bits.Length; i++) bits[i] = (ushort)i;
        fixed (ushort* p = bits)
            for (int i = 0; i < bits.Length; i += 8)
            {
                var widened = HalfTable.FiniteToFloat(p + i);
                for (int j = 0; j < 8; j++)
                {
                    var half = BitConverter.UInt16BitsToHalf(bits[i + j]);
                    if (Half.IsFinite(half)) Assert.Equal(BitConverter.SingleToInt32Bits((float)half), BitConverter.SingleToInt32Bits(widened.GetElement(j)));
                }
            }
    }

    // Random quants with sane f16 scale (and min) fields.
    internal static HostTensor RandomWeight(TensorType type, Random random, int rows, int width)
    {
        var info = TensorTypes.Info(type);
        int blocks = rows * width / info.BlockSize;
        var bytes = new byte[blocks * info.BlockBytes];
        random.NextBytes(bytes);
        for (int b = 0; b < blocks; b++)
        {
            int at = b * info.BlockBytes;
            // Q6_K, Q3_K and Q2_K keep their d after the quants and scales (Q2_K's dmin follows it).
            int dAt = type switch { TensorType.Q6_K => 208, TensorType.Q3_K => 108, TensorType.Q2_K => 80, _ => 0 };
            BitConverter.TryWriteBytes(bytes.AsSpan(at + dAt, 2), (Half)(0.0005 + random.NextDouble() * 0.002));
            if (type is TensorType.Q4_1 or TensorType.Q5_1 or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q2_K)
                BitConverter.TryWriteBytes(bytes.AsSpan(at + dAt + 2, 2), (Half)(random.NextDouble() * 0.4 - 0.2));
        }
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        return new HostTensor("w", type, new Shape(rows, width), handle.AddrOfPinnedObject(), bytes.Length, handle);
    }
}
