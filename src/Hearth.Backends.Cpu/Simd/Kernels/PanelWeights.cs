using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Hearth.Backends.Cpu.Threading;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// An F32, F16 or BF16 weight matrix [out, in] repacked once at load into panels of 16 output rows stored column by
/// column, so one 512-bit load holds column k of 16 rows (F32: [group][k][16]) or columns k and k + 1 of 16 rows (F16 and
/// BF16: [group][k / 2][16 rows][2], row i's pair in 32-bit lane i, so shifting each lane left by 16 or masking its low
/// half gives one column each as f32-aligned bits, no shuffles): multiplied by the broadcast x[t][k] a column advances
/// 16 outputs, with no horizontal sums (<see cref="PanelGemm"/>; AVX2 machines read each panel as two 8-row halves, Arm64
/// as four 4-row quarters). An odd last column is paired with zeros. Only where 512-bit vectors, 256-bit vectors and FMA,
/// or Arm64's 128-bit NEON (FMA built in) are hardware accelerated; rows past the last
/// full panel stay in the original layout. F16 matrices holding infinities or NaNs are not repacked (the fast
/// conversion is exact for finite values only).
/// </summary>
internal sealed unsafe class PanelWeights
{
    public const int Rows = 16;

    private static readonly ConditionalWeakTable<HostTensor, PanelWeights> Cache = new();
    private static readonly Lock CacheLock = new();

    private readonly byte* _data;
    private readonly object _owner;

    private PanelWeights(TensorType type, int groups, int width, int f16Shift)
    {
        Type = type;
        F16Shift = f16Shift;
        Groups = groups;
        Width = width;
        ElementBytes = type == TensorType.F32 ? 4 : 2;
        GroupStride = (long)(ElementBytes == 4 ? width : (width + 1) & ~1) * Rows * ElementBytes;
        var buffer = new AlignedBuffer(GroupStride * groups);
        _owner = buffer;
        _data = buffer.Pointer;
    }

    public TensorType Type { get; }
    public int Groups { get; }
    public int Width { get; }
    public int ElementBytes { get; }
    public long GroupStride { get; }

    /// <summary>
    /// F16 panels hold each weight times 2^F16Shift (exact): the largest shift up to 10 that keeps the matrix's largest
    /// |w| finite in f16. With 10, f16 subnormals become normal f16 and, read as w 2^(shift - 112) (<see cref="PanelF16"/>),
    /// no weight is an f32 subnormal: an FMA with a subnormal operand takes a microcode assist on Intel cores, and
    /// about 0.2% of the weights of a matrix with standard deviation 0.02 are f16 subnormals, so about 4% of the 16-lane
    /// column vectors held one; a 1.1B F16 decode read 18.5 GB/s against 24.4 with the shift (Xeon, 2 threads).
    /// </summary>
    public int F16Shift { get; }
    public byte* Group(int g) => _data + g * GroupStride;

    public static bool Supports(TensorType type) =>
        (Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported
            || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported)
        && type is TensorType.F32 or TensorType.F16 or TensorType.BF16;

    /// <summary>The panel form of a weight [rows, width], shared by every graph that uses it; null when not used here.</summary>
    public static PanelWeights? For(HostTensor weight, CpuThreadPool pool)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!Supports(weight.Type) || weight.Shape.Rank != 2 || weight.Shape[0] < Rows) return null;
        lock (CacheLock)
        {
            if (Cache.TryGetValue(weight, out var existing)) return existing;
            int field = weight.Type == TensorType.F16 ? MaxExponentField(weight) : 0;
            var repacked = field == 31 ? null : Repack(weight, pool, field);
            if (repacked is not null) Cache.Add(weight, repacked);
            return repacked;
        }
    }

    internal static PanelWeights Repack(HostTensor weight, CpuThreadPool pool) =>
        Repack(weight, pool, weight.Type == TensorType.F16 ? MaxExponentField(weight) : 0);

    // maxField: the largest f16 exponent field (MaxExponentField), scanned once by the caller.
    private static PanelWeights Repack(HostTensor weight, CpuThreadPool pool, int maxField)
    {
        // Finite f16 exponent fields are at most 30: w 2^shift stays finite while field + shift <= 30.
        int shift = weight.Type == TensorType.F16 ? Math.Clamp(30 - maxField, 0, MaxF16Shift) : 0;
        var result = new PanelWeights(weight.Type, weight.Shape[0] / Rows, weight.Shape[1], shift);
        pool.Run(new RepackWork(result, (byte*)weight.Data), result.Groups, 1);
        return result;
    }

    /// <summary>2^10 takes every f16 subnormal (m 2^-24, m below 2^10) to a normal f16.</summary>
    internal const int MaxF16Shift = 10;

    /// <summary>The largest 5-bit exponent field of an F16 tensor (31: it holds an infinity or a NaN).</summary>
    private static int MaxExponentField(HostTensor weight)
    {
        var halves = new ReadOnlySpan<ushort>((void*)weight.Data, checked((int)weight.Shape.ElementCount));
        var max = Vector256<ushort>.Zero;
        var mask = Vector256.Create((ushort)0x7C00);
        int i = 0;
        for (; i + 16 <= halves.Length; i += 16) max = Vector256.Max(max, Vector256.Create(halves.Slice(i, 16)) & mask);
        int field = 0;
        for (int j = 0; j < 16; j++) field = Math.Max(field, max[j] >> 10);
        for (; i < halves.Length; i++) field = Math.Max(field, (halves[i] & 0x7C00) >> 10);
        return field;
    }

    /// <summary>h times 2^shift as f16 bits, exact when the exponent field plus shift is at most 30.</summary>
    internal static ushort ScaleF16(ushort h, int shift)
    {
        if (shift == 0 || (h & 0x7FFF) == 0) return h;
        if ((h & 0x7C00) != 0) return (ushort)(h + (shift << 10));  // normal: the exponent field grows by shift
        // Subnormal (rare): through float, where both steps are exact.
        return BitConverter.HalfToUInt16Bits((Half)MathF.ScaleB((float)BitConverter.UInt16BitsToHalf(h), shift));
    }

    private sealed class RepackWork(PanelWeights target, byte* source) : IParallelWork
    {
        public void Execute(int start, int end, int worker)
        {
            int width = target.Width;
            for (int g = start; g < end; g++)
            {
                if (target.ElementBytes == 4)
                {
                    float* src = (float*)source + (long)g * Rows * width, dst = (float*)target.Group(g);
                    for (int r = 0; r < Rows; r++)
                        for (int k = 0; k < width; k++) dst[k * Rows + r] = src[(long)r * width + k];
                }
                else
                {
                    ushort* src = (ushort*)source + (long)g * Rows * width, dst = (ushort*)target.Group(g);
                    new Span<byte>(dst, (int)target.GroupStride).Clear();
                    int shift = target.F16Shift;
                    for (int r = 0; r < Rows; r++)
                        for (int k = 0; k < width; k++) dst[(k >> 1) * 2 * Rows + 2 * r + (k & 1)] = ScaleF16(src[(long)r * width + k], shift);
                }
            }
        }
    }
}

/// <summary>64-byte aligned native memory, freed when its owner is collected.</summary>
internal sealed unsafe class AlignedBuffer
{
    public AlignedBuffer(long bytes)
    {
        Bytes = Math.Max(bytes, 64);
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)Bytes, 64);
        GC.AddMemoryPressure(Bytes);
    }

    public byte* Pointer { get; }
    public long Bytes { get; }

    ~AlignedBuffer()
    {
        NativeMemory.AlignedFree(Pointer);
        GC.RemoveMemoryPressure(Bytes);
    }
}
