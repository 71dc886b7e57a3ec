using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// One 256-element K-quant super-block unpacked to 8 x 32 unsigned bytes u (element e in u[e / 32], byte e % 32)
/// plus integer scales and mins per 16 elements, so that weight[e] = dA * scale[e / 16] * u[e] - dB * min[e / 16].
/// Block layouts and bit meanings: Hearth.Core.Quants.Blocks.KQuants.cs / Dequant.KQuants.cs.
/// </summary>
internal unsafe interface IKBlock
{
    static abstract int BlockBytes { get; }
    static abstract void Unpack(byte* block, Vector256<byte>* u, short* scales, int* mins, out float dA, out float dB);
}

internal static unsafe class KScales
{
    // 8 6-bit scales and mins of Q4_K / Q5_K (ggml get_scale_min_k4), each repeated for both 16-halves of its 32.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleMin(byte* packed, short* scales, int* mins)
    {
        for (int sub = 0; sub < 8; sub++)
        {
            int scale, min;
            if (sub < 4)
            {
                scale = packed[sub] & 63;
                min = packed[sub + 4] & 63;
            }
            else
            {
                scale = (packed[sub + 4] & 0x0F) | ((packed[sub - 4] >> 6) << 4);
                min = (packed[sub + 4] >> 4) | ((packed[sub] >> 6) << 4);
            }
            scales[2 * sub] = scales[2 * sub + 1] = (short)scale;
            mins[2 * sub] = mins[2 * sub + 1] = min;
        }
    }
}

internal unsafe struct Q4_KBlock : IKBlock
{
    public static int BlockBytes => 144;
    public static void Unpack(byte* block, Vector256<byte>* u, short* scales, int* mins, out float dA, out float dB)
    {
        dA = HalfTable.ToFloat(block);
        dB = HalfTable.ToFloat(block + 2);
        KScales.ScaleMin(block + 4, scales, mins);
        var mask = Vector256.Create((byte)0x0F);
        for (int j = 0; j < 4; j++)
        {
            var qs = Vector256.Load(block + 16 + 32 * j);
            u[2 * j] = qs & mask;
            u[2 * j + 1] = Vector256.ShiftRightLogical(qs, 4) & mask;
        }
    }
}

internal unsafe struct Q5_KBlock : IKBlock
{
    public static int BlockBytes => 176;
    public static void Unpack(byte* block, Vector256<byte>* u, short* scales, int* mins, out float dA, out float dB)
    {
        dA = HalfTable.ToFloat(block);
        dB = HalfTable.ToFloat(block + 2);
        KScales.ScaleMin(block + 4, scales, mins);
        var mask = Vector256.Create((byte)0x0F);
        var one = Vector256.Create((byte)1);
        var qh = Vector256.Load(block + 16);
        for (int j = 0; j < 4; j++)
        {
            var qs = Vector256.Load(block + 48 + 32 * j);
            u[2 * j] = (qs & mask) | ((Vector256.ShiftRightLogical(qh, 2 * j) & one) << 4);
            u[2 * j + 1] = (Vector256.ShiftRightLogical(qs, 4) & mask) | ((Vector256.ShiftRightLogical(qh, 2 * j + 1) & one) << 4);
        }
    }
}

internal unsafe struct Q6_KBlock : IKBlock
{
    public static int BlockBytes => 210;
    public static void Unpack(byte* block, Vector256<byte>* u, short* scales, int* mins, out float dA, out float dB)
    {
        dA = dB = HalfTable.ToFloat(block + 208);
        var signedScales = (sbyte*)(block + 192);
        for (int s = 0; s < 16; s++)
        {
            scales[s] = signedScales[s];
            mins[s] = 32 * signedScales[s];
        }
        var mask = Vector256.Create((byte)0x0F);
        var three = Vector256.Create((byte)3);
        for (int h = 0; h < 2; h++)
        {
            var ql0 = Vector256.Load(block + 64 * h);
            var ql1 = Vector256.Load(block + 64 * h + 32);
            var qh = Vector256.Load(block + 128 + 32 * h);
            u[4 * h] = (ql0 & mask) | ((qh & three) << 4);
            u[4 * h + 1] = (ql1 & mask) | ((Vector256.ShiftRightLogical(qh, 2) & three) << 4);
            u[4 * h + 2] = Vector256.ShiftRightLogical(ql0, 4) | ((Vector256.ShiftRightLogical(qh, 4) & three) << 4);
            u[4 * h + 3] = Vector256.ShiftRightLogical(ql1, 4) | (Vector256.ShiftRightLogical(qh, 6) << 4);
        }
    }
}

internal unsafe struct Q2_KBlock : IKBlock
{
    public static int BlockBytes => 84;
    public static void Unpack(byte* block, Vector256<byte>* u, short* scales, int* mins, out float dA, out float dB)
    {
        dA = HalfTable.ToFloat(block + 80);
        dB = HalfTable.ToFloat(block + 82);
        for (int s = 0; s < 16; s++)
        {
            scales[s] = (short)(block[s] & 0x0F);
            mins[s] = block[s] >> 4;
        }
        var three = Vector256.Create((byte)3);
        for (int h = 0; h < 2; h++)
        {
            var qs = Vector256.Load(block + 16 + 32 * h);
            for (int p = 0; p < 4; p++) u[4 * h + p] = Vector256.ShiftRightLogical(qs, 2 * p) & three;
        }
    }
}

internal unsafe struct Q3_KBlock : IKBlock
{
    public static int BlockBytes => 110;
    public static void Unpack(byte* block, Vector256<byte>* u, short* scales, int* mins, out float dA, out float dB)
    {
        dA = dB = HalfTable.ToFloat(block + 108);
        byte* packed = block + 96;
        for (int s = 0; s < 16; s++)
        {
            int low = s < 8 ? packed[s] & 0x0F : packed[s - 8] >> 4;
            int high = (packed[8 + s % 4] >> (2 * (s / 4))) & 3;
            int scale = (low | (high << 4)) - 32;
            scales[s] = (short)scale;
            mins[s] = 4 * scale;  // u = q + 4, so q = u - 4
        }
        var three = Vector256.Create((byte)3);
        var one = Vector256.Create((byte)1);
        var hm = Vector256.Load(block);
        for (int h = 0; h < 2; h++)
        {
            var qs = Vector256.Load(block + 32 + 32 * h);
            for (int p = 0; p < 4; p++)
            {
                int c = 4 * h + p;
                u[c] = (Vector256.ShiftRightLogical(qs, 2 * p) & three) | ((Vector256.ShiftRightLogical(hm, c) & one) << 2);
            }
        }
    }
}
