using System.Runtime.InteropServices;

namespace Hearth.Core.Quants;

// The "legacy" GGML blocks: 32 elements each, one or two f16 factors.
// Byte-for-byte the GGUF on-disk layouts (little-endian, no padding); QuantBlocks checks the sizes.
// Element order within a block: see the Dequant.Legacy.cs comments.

/// <summary>Q4_0: x = d * (q - 8), q a 4-bit unsigned nibble. 18 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ4_0
{
    public const int Elements = 32;
    public Half D;               // scale
    public fixed byte Qs[16];    // nibbles: low nibble of Qs[j] is element j, high nibble is element j + 16
}

/// <summary>Q4_1: x = d * q + m, q a 4-bit unsigned nibble. 20 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ4_1
{
    public const int Elements = 32;
    public Half D;               // scale
    public Half M;               // minimum (offset added to every element)
    public fixed byte Qs[16];    // nibbles: low nibble of Qs[j] is element j, high nibble is element j + 16
}

/// <summary>Q5_0: x = d * (q - 16), q 5 bits: a nibble plus one bit from Qh. 22 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ5_0
{
    public const int Elements = 32;
    public Half D;               // scale
    public fixed byte Qh[4];     // 5th bits as a little-endian uint32: bit j belongs to element j (j in 0..31)
    public fixed byte Qs[16];    // low 4 bits: low nibble of Qs[j] is element j, high nibble is element j + 16
}

/// <summary>Q5_1: x = d * q + m, q 5 bits: a nibble plus one bit from Qh. 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ5_1
{
    public const int Elements = 32;
    public Half D;               // scale
    public Half M;               // minimum (offset added to every element)
    public fixed byte Qh[4];     // 5th bits as a little-endian uint32: bit j belongs to element j (j in 0..31)
    public fixed byte Qs[16];    // low 4 bits: low nibble of Qs[j] is element j, high nibble is element j + 16
}

/// <summary>Q8_0: x = d * q, q a signed byte. 34 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ8_0
{
    public const int Elements = 32;
    public Half D;               // scale
    public fixed sbyte Qs[32];   // element j is Qs[j]
}

/// <summary>
/// Q8_1: x = d * q, q a signed byte; S caches d * sum(q) for dot kernels (the activation side of
/// Q4_1/Q5_1 dots). 36 bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public unsafe struct BlockQ8_1
{
    public const int Elements = 32;
    public Half D;               // scale
    public Half S;               // d * sum(Qs), not needed to dequantize
    public fixed sbyte Qs[32];   // element j is Qs[j]
}
