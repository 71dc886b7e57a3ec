using System.Runtime.InteropServices;

namespace Hearth.Core.Quants;

// The K-quant "super-blocks": QK_K = 256 elements split into sub-blocks of 16 or 32 with their own
// small integer scales (and mins). Byte-for-byte the GGUF on-disk layouts; QuantBlocks checks the sizes.
// How the bits map to elements is spelled out in Dequant.KQuants.cs.

/// <summary>Q2_K: 16 sub-blocks of 16; x = d * sc * q - dmin * m, q 2 bits, sc and m 4 bits. 84 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ2_K
{
    public const int Elements = QuantBlocks.QK_K;
    public fixed byte Scales[16]; // sub-block i: low nibble = scale, high nibble = min
    public fixed byte Qs[64];     // 2-bit quants, four per byte (see Dequant.KQuants.cs)
    public Half D;                // super-block scale for the scales
    public Half DMin;             // super-block scale for the mins
}

/// <summary>Q3_K: 16 sub-blocks of 16; x = d * (sc - 32) * (q - 4 * !hbit), q 2 bits + high bit, sc 6 bits. 110 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ3_K
{
    public const int Elements = QuantBlocks.QK_K;
    public fixed byte HMask[32];  // high bits: bit b of HMask[l] belongs to element 32 * b + l; a clear bit subtracts 4
    public fixed byte Qs[64];     // low 2 bits, four per byte (see Dequant.KQuants.cs)
    public fixed byte Scales[12]; // 16 6-bit scales (stored + 32): low nibbles in bytes 0..7, high 2 bits in bytes 8..11
    public Half D;                // super-block scale
}

/// <summary>Q4_K: 8 sub-blocks of 32; x = d * sc * q - dmin * m, q 4 bits, sc and m 6 bits. 144 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ4_K
{
    public const int Elements = QuantBlocks.QK_K;
    public Half D;                                       // super-block scale for the scales
    public Half DMin;                                    // super-block scale for the mins
    public fixed byte Scales[QuantBlocks.K_SCALE_SIZE];  // 8 6-bit scales and 8 6-bit mins, packed (get_scale_min_k4)
    public fixed byte Qs[128];                           // nibbles: per 64 elements, 32 bytes: low nibbles first 32, high nibbles next 32
}

/// <summary>Q5_K: 8 sub-blocks of 32; x = d * sc * q - dmin * m, q 5 bits, sc and m 6 bits. 176 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ5_K
{
    public const int Elements = QuantBlocks.QK_K;
    public Half D;                                       // super-block scale for the scales
    public Half DMin;                                    // super-block scale for the mins
    public fixed byte Scales[QuantBlocks.K_SCALE_SIZE];  // 8 6-bit scales and 8 6-bit mins, packed as in Q4_K
    public fixed byte Qh[32];                            // 5th bits: bit b of Qh[l] belongs to element 32 * b + l
    public fixed byte Qs[128];                           // low 4 bits, laid out as Q4_K's Qs
}

/// <summary>Q6_K: 16 sub-blocks of 16; x = d * sc * (q - 32), q 6 bits, sc a signed byte. 210 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ6_K
{
    public const int Elements = QuantBlocks.QK_K;
    public fixed byte Ql[128];    // low 4 bits (see Dequant.KQuants.cs)
    public fixed byte Qh[64];     // high 2 bits, four per byte
    public fixed sbyte Scales[16]; // signed 8-bit sub-block scales
    public Half D;                // super-block scale
}

/// <summary>Q8_K: x = d * q, q a signed byte; the activation side of K-quant dots. 292 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ8_K
{
    public const int Elements = QuantBlocks.QK_K;
    public float D;               // scale (f32, unlike the other blocks)
    public fixed sbyte Qs[256];   // element j is Qs[j]
    public fixed short BSums[16]; // sum of Qs over each group of 16, not needed to dequantize
}
