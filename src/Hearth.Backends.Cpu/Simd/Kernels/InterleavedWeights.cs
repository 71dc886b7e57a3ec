using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hearth.Backends.Cpu.Threading;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// A legacy-quant weight matrix repacked once at load into groups of 8 output rows, so one 32-byte load holds 4
/// consecutive quants of each of the 8 rows and one byte-dot instruction (vpdpbusd, or its AVX2 equivalent) with 4
/// broadcast activation bytes advances all 8 rows' dot products: the 8 results of a block land in the 8 lanes, so
/// scaling needs one vector multiply per block for 8 rows instead of a horizontal sum per row, and a group's
/// unpacked quants are reused for every token of a tile (<see cref="InterleavedGemm"/>).
/// Per group, per 32-block: d [8] f32, then m [8] f32 when the type has a free offset (Q4_1), then the quants as
/// unsigned u (weight = d * (u - c) or d * u + m): 4-bit types as 4 chunks of 32 bytes whose byte 4r + i holds u[r][8j + i]
/// in its low nibble and u[r][8j + 4 + i] in its high one; Q8_0 (u = q + 128), Q5_0 (c = 16) and Q5_1 (with m) as 8 chunks
/// whose byte 4r + i is u[r][4j + i].
/// K-quants become blocks of their 32-element sub-blocks: Q4_K (nibbles) and Q5_K (bytes) with d = dA * scale and
/// m = -dB * min, Q6_K (bytes, u - 32) and Q3_K (nibbles, u - 4) with one d per 16-element half, Q2_K (2-bit u) with a
/// d and an m per half. Their activations are then quantized in blocks of 32 (finer than Q8_K's 256).
/// Q2_K's 2-bit quants: 2 chunks of 32 bytes, chunk h (elements 16h..16h+15) byte 4r + i holding u[r][16h + 4p + i] in
/// bits 2p..2p+1, so one load and 4 shifts give one 16-element half of all 8 rows.
/// Rows past the last full group stay in the original layout (the caller runs them with the per-row kernels).
/// </summary>
internal sealed unsafe class InterleavedWeights
{
    private static readonly ConditionalWeakTable<HostTensor, InterleavedWeights> Cache = new();
    private static readonly Lock CacheLock = new();

    private readonly AlignedBuffer _buffer;

    private InterleavedWeights(TensorType type, int groups, int blocks)
    {
        Type = type;
        Groups = groups;
        Blocks = blocks;
        Nibbles = type is TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q4_K or TensorType.Q3_K;
        TwoBit = type == TensorType.Q2_K;
        HasOffsets = type is TensorType.Q4_1 or TensorType.Q5_1 or TensorType.Q4_K or TensorType.Q5_K;
        OffsetC = type switch
        {
            TensorType.Q4_0 => 8, TensorType.Q5_0 => 16, TensorType.Q8_0 => 128, TensorType.Q6_K => 32, TensorType.Q3_K => 4, _ => 0,
        };
        HalfScales = type is TensorType.Q6_K or TensorType.Q3_K or TensorType.Q2_K;
        HalfOffsets = type == TensorType.Q2_K;
        BlockStride = StrideOf(Nibbles, TwoBit, HeaderVectors(HasOffsets, HalfScales, HalfOffsets));
        GroupStride = (long)BlockStride * blocks;
        _buffer = new AlignedBuffer(GroupStride * groups);
    }

    /// <summary>
    /// Bytes per interleaved block: the header's [8] f32 vectors (d; then m, or the second half's d; then Q2_K's m per
    /// half), then the quants.
    /// </summary>
    public static int StrideOf(bool nibbles, bool twoBit, int headerVectors) => 32 * headerVectors + (twoBit ? 64 : nibbles ? 128 : 256);

    /// <summary>[8] f32 vectors before a block's quants.</summary>
    public static int HeaderVectors(bool hasOffsets, bool halfScales, bool halfOffsets) =>
        1 + (hasOffsets || halfScales ? 1 : 0) + (halfOffsets ? 2 : 0);

    public TensorType Type { get; }
    /// <summary>Q6_K, Q3_K, Q2_K: each half (16) of a block has its own d.</summary>
    public bool HalfScales { get; }
    /// <summary>Q2_K: each half of a block also has its own m (after the two d vectors).</summary>
    public bool HalfOffsets { get; }
    /// <summary>Q2_K: 2-bit quants, 4 to a byte.</summary>
    public bool TwoBit { get; }
    /// <summary>Full groups of 8 rows; rows from Groups * 8 on are not repacked.</summary>
    public int Groups { get; }
    public int Blocks { get; }
    public bool Nibbles { get; }
    public bool HasOffsets { get; }
    /// <summary>Integer offset c of weight = d * (u - c) (0 when the offset is the per-row m).</summary>
    public int OffsetC { get; }
    public int BlockStride { get; }
    public long GroupStride { get; }
    public byte* Group(int g) => _buffer.Pointer + g * GroupStride;

    /// <summary>Whether this machine runs the interleaved kernels for the type (and how the dot is done there).</summary>
    public static bool Supports(TensorType type) => type switch
    {
        // Q8_0's u = q + 128: vpdpbusd, or AVX2's sign trick on u - 128 (Avx2SignedByteDot).
        TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1 or TensorType.Q8_0 or TensorType.Q2_K or TensorType.Q3_K
            or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K => Avx2.IsSupported,
        _ => false,
    };

    /// <summary>The repacked form of a weight [rows, width], shared by every graph that uses it; null when not supported.</summary>
    public static InterleavedWeights? For(HostTensor weight, CpuThreadPool pool)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!Supports(weight.Type) || weight.Shape.Rank != 2 || weight.Shape[0] < 8 || weight.Shape[1] % TensorTypes.Info(weight.Type).BlockSize != 0) return null;
        // K-quant rows left over would need Q8_K activations besides the interleaved kernel's blocks of 32.
        if (IsKQuant(weight.Type) && weight.Shape[0] % 8 != 0) return null;
        lock (CacheLock)
        {
            if (Cache.TryGetValue(weight, out var existing)) return existing;
            var repacked = Repack(weight, pool);
            Cache.Add(weight, repacked);
            return repacked;
        }
    }

    private static bool IsKQuant(TensorType type) => type is TensorType.Q2_K or TensorType.Q3_K or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K;

    /// <summary>Repacks without the cache (tests).</summary>
    internal static InterleavedWeights Repack(HostTensor weight, CpuThreadPool pool)
    {
        var result = new InterleavedWeights(weight.Type, weight.Shape[0] / 8, weight.Shape[1] / 32);
        pool.Run(new RepackWork(result, (byte*)weight.Data, TensorTypes.RowBytes(weight.Type, weight.Shape[1])), result.Groups, 4);
        return result;
    }

    private sealed class RepackWork(InterleavedWeights target, byte* source, long rowBytes) : IParallelWork
    {
        public void Execute(int start, int end, int worker)
        {
            for (int g = start; g < end; g++) target.RepackGroup(g, source + g * 8 * rowBytes, rowBytes);
        }
    }

    private void RepackGroup(int g, byte* rows, long rowBytes)
    {
        // A unit is what one unpack yields: one legacy block of 32, or a K-quant super-block of 8 sub-blocks of 32.
        int unit = IsKQuant(Type) ? 8 : 1;
        int vectors = HeaderVectors(HasOffsets, HalfScales, HalfOffsets);
        var u = stackalloc byte[8 * 32 * 8];
        var header = stackalloc float[8 * 4 * 8];  // [sub-block][vector][row]
        var kq = stackalloc Vector256<byte>[8];
        var kScales = stackalloc short[16];
        var kMins = stackalloc int[16];
        for (int b0 = 0; b0 < Blocks; b0 += unit)
        {
            for (int r = 0; r < 8; r++)
            {
                byte* row = rows + r * rowBytes;
                float* d = header + r, m = header + 8 + r;  // vectors 0 and 1 of the unit's first block
                switch (Type)
                {
                    case TensorType.Q4_0: Q4_0Block.Unpack(row + b0 * Q4_0Block.BlockBytes, out *d, out *m).Store(u + r * 32); break;
                    case TensorType.Q4_1: Q4_1Block.Unpack(row + b0 * Q4_1Block.BlockBytes, out *d, out *m).Store(u + r * 32); break;
                    // Q5_0 / Q5_1: the 5-bit u (0..31) as bytes; Q5_0's offset -16 d is c = 16, Q5_1's m is the free offset.
                    case TensorType.Q5_0: Q5_0Block.Unpack(row + b0 * Q5_0Block.BlockBytes, out *d, out *m).Store(u + r * 32); break;
                    case TensorType.Q5_1: Q5_1Block.Unpack(row + b0 * Q5_1Block.BlockBytes, out *d, out *m).Store(u + r * 32); break;
                    case TensorType.Q8_0:
                        (Q8_0Block.Unpack(row + b0 * Q8_0Block.BlockBytes, out *d, out *m) ^ Vector256.Create((byte)0x80)).Store(u + r * 32);
                        break;
                    default:
                        UnpackKQuant(row + b0 / 8 * TensorTypes.Info(Type).BlockBytes, kq, kScales, kMins, out float dA, out float dB);
                        for (int s = 0; s < 8; s++)
                        {
                            kq[s].Store(u + (s * 8 + r) * 32);
                            float* h = header + s * 32 + r;
                            if (HalfScales)
                            {
                                // Q6_K / Q3_K: weight = d * scale[half] * (u - c); Q2_K: dA * scale[half] * u - dB * min[half].
                                h[0] = dA * kScales[2 * s];
                                h[8] = dA * kScales[2 * s + 1];
                                if (HalfOffsets)
                                {
                                    h[16] = -dB * kMins[2 * s];
                                    h[24] = -dB * kMins[2 * s + 1];
                                }
                            }
                            else
                            {
                                // Q4_K / Q5_K: weight = dA * scale[s] * u - dB * min[s] per sub-block s of 32: Q4_1's form with
                                // d = dA * scale, m = -dB * min (Q5_K's 5-bit u stored as bytes).
                                h[0] = dA * kScales[2 * s];
                                h[8] = -dB * kMins[2 * s];
                            }
                        }
                        break;
                }
            }
            for (int s = 0; s < unit; s++) WriteBlock(Group(g) + (long)(b0 + s) * BlockStride, u + s * 8 * 32, header + s * 32, vectors);
        }
    }

    private void UnpackKQuant(byte* block, Vector256<byte>* u, short* scales, int* mins, out float dA, out float dB)
    {
        switch (Type)
        {
            case TensorType.Q2_K: Q2_KBlock.Unpack(block, u, scales, mins, out dA, out dB); break;
            case TensorType.Q3_K: Q3_KBlock.Unpack(block, u, scales, mins, out dA, out dB); break;
            case TensorType.Q4_K: Q4_KBlock.Unpack(block, u, scales, mins, out dA, out dB); break;
            case TensorType.Q5_K: Q5_KBlock.Unpack(block, u, scales, mins, out dA, out dB); break;
            default: Q6_KBlock.Unpack(block, u, scales, mins, out dA, out dB); break;
        }
    }

    // u [8 rows, 32], header [vectors][8] -> one interleaved block.
    private void WriteBlock(byte* block, byte* u, float* header, int vectors)
    {
        for (int i = 0; i < vectors * 8; i++) ((float*)block)[i] = header[i];
        byte* q = block + 32 * vectors;
        for (int r = 0; r < 8; r++)
        {
            for (int i = 0; i < 4; i++)
            {
                if (TwoBit)
                {
                    for (int h = 0; h < 2; h++)
                    {
                        int packed = 0;
                        for (int p = 0; p < 4; p++) packed |= u[r * 32 + 16 * h + 4 * p + i] << (2 * p);
                        q[h * 32 + r * 4 + i] = (byte)packed;
                    }
                }
                else if (Nibbles)
                {
                    for (int j = 0; j < 4; j++) q[j * 32 + r * 4 + i] = (byte)(u[r * 32 + 8 * j + i] | (u[r * 32 + 8 * j + 4 + i] << 4));
                }
                else
                {
                    for (int j = 0; j < 8; j++) q[j * 32 + r * 4 + i] = u[r * 32 + 4 * j + i];
                }
            }
        }
    }
}
