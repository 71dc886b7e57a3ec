using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>
/// One 32-element legacy block unpacked to 32 bytes in registers: weight = d * u + c (u unsigned, c the offset),
/// or for Q8_0 signed bytes with weight = d * q. Block layouts: Hearth.Core.Quants.Blocks.Legacy.cs.
/// </summary>
internal unsafe interface ILegacyBlock
{
    static abstract int BlockBytes { get; }
    /// <summary>Whether <see cref="Unpack"/> returns signed quants (no offset).</summary>
    static abstract bool Signed { get; }
    static abstract Vector256<byte> Unpack(byte* block, out float d, out float offset);
}

internal static unsafe class Nibbles
{
    /// <summary>16 bytes of nibble pairs -> 32 bytes: low nibbles are elements 0..15, high nibbles 16..31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Expand(byte* qs)
    {
        var packed = Vector128.Load(qs);
        var mask = Vector128.Create((byte)0x0F);
        return Vector256.Create(packed & mask, Vector128.ShiftRightLogical(packed, 4) & mask);
    }

    /// <summary>The 32 bits of a little-endian uint32 -> 32 bytes, 0xFF where bit j is set (element j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> BitsToBytes(byte* qh)
    {
        uint bits = *(uint*)qh;
        var select = Vector256.Create(0x8040201008040201ul).AsByte();
        // Byte j takes byte j / 8 of the bits, then keeps bit j % 8.
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            // vpshufb works within 128-bit lanes; every lane holds all 4 bytes of the broadcast value.
            var indices = Vector256.Create(0x0000000000000000ul, 0x0101010101010101ul, 0x0202020202020202ul, 0x0303030303030303ul).AsByte();
            var shuffled = System.Runtime.Intrinsics.X86.Avx2.Shuffle(Vector256.Create(bits).AsByte(), indices);
            return Vector256.Equals(shuffled & select, select);
        }
        var spread = Vector256.Create(
            Vector128.Create((byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits, (byte)bits,
                (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8), (byte)(bits >> 8)),
            Vector128.Create((byte)(bits >> 16), (byte)(bits >> 16), (byte)(bits >> 16), (byte)(bits >> 16), (byte)(bits >> 16), (byte)(bits >> 16), (byte)(bits >> 16), (byte)(bits >> 16),
                (byte)(bits >> 24), (byte)(bits >> 24), (byte)(bits >> 24), (byte)(bits >> 24), (byte)(bits >> 24), (byte)(bits >> 24), (byte)(bits >> 24), (byte)(bits >> 24)));
        return Vector256.Equals(spread & select, select);
    }
}

internal unsafe struct Q4_0Block : ILegacyBlock
{
    public static int BlockBytes => 18;
    public static bool Signed => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unpack(byte* block, out float d, out float offset)
    {
        d = HalfTable.ToFloat(block);
        offset = -8 * d;
        return Nibbles.Expand(block + 2);
    }
}

internal unsafe struct Q4_1Block : ILegacyBlock
{
    public static int BlockBytes => 20;
    public static bool Signed => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unpack(byte* block, out float d, out float offset)
    {
        d = HalfTable.ToFloat(block);
        offset = HalfTable.ToFloat(block + 2);
        return Nibbles.Expand(block + 4);
    }
}

internal unsafe struct Q5_0Block : ILegacyBlock
{
    public static int BlockBytes => 22;
    public static bool Signed => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unpack(byte* block, out float d, out float offset)
    {
        d = HalfTable.ToFloat(block);
        offset = -16 * d;
        return Nibbles.Expand(block + 6) | (Nibbles.BitsToBytes(block + 2) & Vector256.Create((byte)0x10));
    }
}

internal unsafe struct Q5_1Block : ILegacyBlock
{
    public static int BlockBytes => 24;
    public static bool Signed => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unpack(byte* block, out float d, out float offset)
    {
        d = HalfTable.ToFloat(block);
        offset = HalfTable.ToFloat(block + 2);
        return Nibbles.Expand(block + 8) | (Nibbles.BitsToBytes(block + 4) & Vector256.Create((byte)0x10));
    }
}

internal unsafe struct Q8_0Block : ILegacyBlock
{
    public static int BlockBytes => 34;
    public static bool Signed => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Unpack(byte* block, out float d, out float offset)
    {
        d = HalfTable.ToFloat(block);
        offset = 0;
        return Vector256.Load(block + 2);
    }
}
