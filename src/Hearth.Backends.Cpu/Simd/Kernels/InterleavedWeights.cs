using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hearth.Backends.Cpu.Threading;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// A quantized weight matrix repacked once at load into groups of 8 output rows, so one 32-byte load holds 4
/// consecutive quants of each of the 8 rows and one byte-dot instruction (vpdpbusd, or its AVX2 equivalent) with 4
/// broadcast activation bytes advances all 8 rows' dot products: the 8 results of a block land in the 8 lanes, so
/// scaling needs one vector multiply per block for 8 rows instead of a horizontal sum per row, and a group's
/// unpacked quants are reused for every token of a tile (<see cref="InterleavedGemm"/>, <see cref="InterleavedKGemm"/>).
/// Legacy types, per group, per super-block of 4 blocks of 32: the blocks' d [4][8 rows] as the file's f16 (exact), then
/// m [4][8] f16 when the type has a free offset (Q4_1, Q5_1), then each block's quants as unsigned u (weight =
/// d * (u - c) or d * u + m): 4-bit types as 4 chunks of 32 bytes whose byte 4r + i holds u[r][8j + i] in its low nibble
/// and u[r][8j + 4 + i] in its high one; Q8_0 (u = q + 128), Q5_0 (c = 16) and Q5_1 as 8 chunks whose byte 4r + i is
/// u[r][4j + i]. (f16 scales: decode is bandwidth-bound, and f32 ones were 11% of Q4_0's bytes.)
/// K-quants, per group, per 256-element super-block: dA [8] f32, -dB [8] f32, then each of the 8 sub-blocks of 32's
/// integer scales as signed bytes [8 rows] (Q4_K / Q5_K: scale, min; Q6_K / Q3_K: the two halves' scales; Q2_K:
/// scales of both halves then mins of both halves), then each sub-block's quants in bit planes as compact as the
/// file's: chunk j (elements 4j..4j+3 of each row, byte 4r + i) is the low nibble (j &lt; 4) or high nibble (j &gt;= 4)
/// of nibble plane j % 4, or crumb j % 4 (bits 2(j % 4)) of crumb plane j / 4, or bit j of the bit plane. Q2_K: crumbs;
/// Q3_K (u = q + 4) and Q4_K: nibbles; Q5_K: nibbles + bit plane (bit 4); Q6_K (u = q + 32): nibbles + crumbs (bits 4-5).
/// A sub-block's d is then dA * scale (and m = -dB * min) per row, computed in the kernel from the bytes: the same
/// floats the file's arithmetic gives. Their activations are quantized in blocks of 32 (finer than Q8_K's 256).
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
        IsK = IsKQuant(type);
        Nibbles = type is TensorType.Q4_0 or TensorType.Q4_1;
        HasOffsets = type is TensorType.Q4_1 or TensorType.Q5_1;
        OffsetC = type switch { TensorType.Q4_0 => 8, TensorType.Q5_0 => 16, TensorType.Q8_0 => 128, _ => 0 };
        HalfScales = type is TensorType.Q6_K or TensorType.Q3_K or TensorType.Q2_K;
        GroupStride = IsK ? (long)KLayout.SuperStride(type) * (blocks / 8) : (long)SuperStrideOf(Nibbles, HasOffsets) * ((blocks + 3) / 4);
        _buffer = new AlignedBuffer(GroupStride * groups);
    }

    /// <summary>Bytes per interleaved legacy super-block of 4 blocks: d [4][8] f16, m [4][8] f16 when the type has one, quants.</summary>
    public static int SuperStrideOf(bool nibbles, bool hasOffsets) => 64 + (hasOffsets ? 64 : 0) + 4 * (nibbles ? 128 : 256);

    public TensorType Type { get; }
    /// <summary>A K-quant: super-blocks in <see cref="KLayout"/>'s form.</summary>
    public bool IsK { get; }
    /// <summary>Q6_K, Q3_K, Q2_K: each half (16) of a sub-block has its own scale (the kernels read activation sums per 16).</summary>
    public bool HalfScales { get; }
    /// <summary>Full groups of 8 rows; rows from Groups * 8 on are not repacked.</summary>
    public int Groups { get; }
    /// <summary>Blocks of 32 along a row.</summary>
    public int Blocks { get; }
    public bool Nibbles { get; }
    public bool HasOffsets { get; }
    /// <summary>Integer offset c of weight = d * (u - c) (0 when the offset is the per-row m).</summary>
    public int OffsetC { get; }
    public long GroupStride { get; }
    /// <summary>Every legacy block scale (and offset) is finite (the kernels' f16 widening assumes it).</summary>
    public bool FiniteScales => Volatile.Read(ref _nonFiniteScales) == 0;
    private int _nonFiniteScales;
    public byte* Group(int g) => _buffer.Pointer + g * GroupStride;

    /// <summary>Whether this machine runs the interleaved kernels for the type (and how the dot is done there).</summary>
    public static bool Supports(TensorType type) => type switch
    {
        // Q8_0's u = q + 128: vpdpbusd, or AVX2's sign trick / Arm's signed dots on u - 128 (the *SignedByteDot).
        // Arm64 (AdvSimd, with or without DotProd) runs the same kernels, the Vector256 code as pairs of 128-bit registers.
        TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1 or TensorType.Q8_0 or TensorType.Q2_K or TensorType.Q3_K
            or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K => Avx2.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported,
        _ => false,
    };

    /// <summary>The repacked form of a weight [rows, width], shared by every graph that uses it; null when not supported.</summary>
    public static InterleavedWeights? For(HostTensor weight, CpuThreadPool pool)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!Supports(weight.Type) || weight.Shape.Rank != 2 || weight.Shape[0] < 8 || weight.Shape[1] % TensorTypes.Info(weight.Type).BlockSize != 0) return null;
        // K-quant rows left over would need Q8_K activations besides the interleaved kernel's blocks of 32.
        if (IsKQuant(weight.Type) && (weight.Shape[0] % 8 != 0 || weight.Shape[1] % 256 != 0)) return null;
        lock (CacheLock)
        {
            if (Cache.TryGetValue(weight, out var existing)) return existing;
            var repacked = Repack(weight, pool);
            Cache.Add(weight, repacked);
            // The kernels widen f16 scales exactly only when they are finite; a file with others runs the per-row kernels.
            return repacked.FiniteScales ? repacked : null;
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
        if (IsK)
        {
            RepackKGroup(g, rows, rowBytes);
            return;
        }
        var u = stackalloc byte[8 * 32];
        var d = stackalloc float[8];
        var m = stackalloc float[8];
        for (int b = 0; b < Blocks; b++)
        {
            for (int r = 0; r < 8; r++)
            {
                byte* row = rows + r * rowBytes;
                switch (Type)
                {
                    case TensorType.Q4_0: Q4_0Block.Unpack(row + b * Q4_0Block.BlockBytes, out d[r], out m[r]).Store(u + r * 32); break;
                    case TensorType.Q4_1: Q4_1Block.Unpack(row + b * Q4_1Block.BlockBytes, out d[r], out m[r]).Store(u + r * 32); break;
                    // Q5_0 / Q5_1: the 5-bit u (0..31) as bytes; Q5_0's offset -16 d is c = 16, Q5_1's m is the free offset.
                    case TensorType.Q5_0: Q5_0Block.Unpack(row + b * Q5_0Block.BlockBytes, out d[r], out m[r]).Store(u + r * 32); break;
                    case TensorType.Q5_1: Q5_1Block.Unpack(row + b * Q5_1Block.BlockBytes, out d[r], out m[r]).Store(u + r * 32); break;
                    default:
                        (Q8_0Block.Unpack(row + b * Q8_0Block.BlockBytes, out d[r], out m[r]) ^ Vector256.Create((byte)0x80)).Store(u + r * 32);
                        break;
                }
            }
            WriteBlock(Group(g) + (long)(b / 4) * SuperStrideOf(Nibbles, HasOffsets), b % 4, u, d, m);
        }
    }

    // u [8 rows, 32], d [8], m [8] -> member w of a legacy super-block (the scales came from f16, so f16 holds them exactly).
    private void WriteBlock(byte* super, int w, byte* u, float* d, float* m)
    {
        for (int r = 0; r < 8; r++)
            if (!float.IsFinite(d[r]) || HasOffsets && !float.IsFinite(m[r])) Volatile.Write(ref _nonFiniteScales, 1);
        for (int r = 0; r < 8; r++) ((Half*)(super + 16 * w))[r] = (Half)d[r];
        if (HasOffsets)
            for (int r = 0; r < 8; r++) ((Half*)(super + 64 + 16 * w))[r] = (Half)m[r];
        byte* q = super + (HasOffsets ? 128 : 64) + w * (Nibbles ? 128 : 256);
        for (int r = 0; r < 8; r++)
        {
            for (int i = 0; i < 4; i++)
            {
                if (Nibbles)
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

    private void RepackKGroup(int g, byte* rows, long rowBytes)
    {
        int scaleBytes = KLayout.ScaleBytes(Type), quantBytes = KLayout.QuantBytes(Type), blockBytes = TensorTypes.Info(Type).BlockBytes;
        var u = stackalloc byte[8 * 8 * 32];  // [sub-block][row][32]
        var kq = stackalloc Vector256<byte>[8];
        var kScales = stackalloc short[16];
        var kMins = stackalloc int[16];
        for (int sb = 0; sb < Blocks / 8; sb++)
        {
            byte* super = Group(g) + (long)sb * KLayout.SuperStride(Type);
            for (int r = 0; r < 8; r++)
            {
                UnpackKQuant(rows + r * rowBytes + (long)sb * blockBytes, kq, kScales, kMins, out float dA, out float dB);
                ((float*)super)[r] = dA;
                ((float*)super)[8 + r] = -dB;
                for (int s = 0; s < 8; s++)
                {
                    kq[s].Store(u + (s * 8 + r) * 32);
                    var scales = (sbyte*)(super + KLayout.HeaderBytes + s * scaleBytes);
                    if (HalfScales)
                    {
                        scales[r] = (sbyte)kScales[2 * s];
                        scales[8 + r] = (sbyte)kScales[2 * s + 1];
                        if (Type == TensorType.Q2_K)
                        {
                            scales[16 + r] = (sbyte)kMins[2 * s];
                            scales[24 + r] = (sbyte)kMins[2 * s + 1];
                        }
                    }
                    else
                    {
                        scales[r] = (sbyte)kScales[2 * s];
                        scales[8 + r] = (sbyte)kMins[2 * s];
                    }
                }
            }
            byte* quants = super + KLayout.HeaderBytes + 8 * scaleBytes;
            for (int s = 0; s < 8; s++)
            {
                byte* q = quants + s * quantBytes;
                byte* us = u + s * 8 * 32;
                switch (Type)
                {
                    case TensorType.Q2_K: KLayout.WriteCrumbs(q, us, 0); break;
                    case TensorType.Q3_K or TensorType.Q4_K: KLayout.WriteNibbles(q, us); break;
                    case TensorType.Q5_K: KLayout.WriteNibbles(q, us); KLayout.WriteBits(q + 128, us, 4); break;
                    default: KLayout.WriteNibbles(q, us); KLayout.WriteCrumbs(q + 128, us, 4); break;
                }
            }
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
}

/// <summary>The K-quant super-block layout of <see cref="InterleavedWeights"/>: sizes and the bit-plane writers.</summary>
internal static unsafe class KLayout
{
    /// <summary>dA [8] f32, -dB [8] f32.</summary>
    public const int HeaderBytes = 64;

    /// <summary>Scale bytes per sub-block of 32 (8 rows).</summary>
    public static int ScaleBytes(TensorType type) => type == TensorType.Q2_K ? 32 : 16;

    /// <summary>Quant bytes per sub-block of 32 (8 rows).</summary>
    public static int QuantBytes(TensorType type) => type switch
    {
        TensorType.Q2_K => 64,
        TensorType.Q3_K or TensorType.Q4_K => 128,
        TensorType.Q5_K => 160,
        _ => 192,
    };

    public static int SuperStride(TensorType type) => HeaderBytes + 8 * (ScaleBytes(type) + QuantBytes(type));

    // u [8 rows][32] -> 4 x 32 bytes: plane p byte 4r + i = low nibble of u[r][4p + i] | low nibble of u[r][4(p + 4) + i] << 4.
    public static void WriteNibbles(byte* q, byte* u)
    {
        for (int p = 0; p < 4; p++)
            for (int r = 0; r < 8; r++)
                for (int i = 0; i < 4; i++)
                    q[p * 32 + 4 * r + i] = (byte)((u[r * 32 + 4 * p + i] & 15) | ((u[r * 32 + 4 * (p + 4) + i] & 15) << 4));
    }

    // Bits shift..shift+1 of u [8 rows][32] -> 2 x 32 bytes: plane c byte 4r + i bits 2p = those of u[r][4(4c + p) + i].
    public static void WriteCrumbs(byte* q, byte* u, int shift)
    {
        for (int c = 0; c < 2; c++)
            for (int r = 0; r < 8; r++)
                for (int i = 0; i < 4; i++)
                {
                    int packed = 0;
                    for (int p = 0; p < 4; p++) packed |= ((u[r * 32 + 4 * (4 * c + p) + i] >> shift) & 3) << (2 * p);
                    q[c * 32 + 4 * r + i] = (byte)packed;
                }
    }

    // Bit shift of u [8 rows][32] -> 32 bytes: byte 4r + i bit j = that of u[r][4j + i].
    public static void WriteBits(byte* q, byte* u, int shift)
    {
        for (int r = 0; r < 8; r++)
            for (int i = 0; i < 4; i++)
            {
                int packed = 0;
                for (int j = 0; j < 8; j++) packed |= ((u[r * 32 + 4 * j + i] >> shift) & 1) << j;
                q[4 * r + i] = (byte)packed;
            }
    }
}
