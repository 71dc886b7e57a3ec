// Element k of a weight row in its storage type, dequantized exactly as Hearth.Core.Quants.Dequant does (same
// float operations in the same order). The including shader declares `uint W[]` (the weight bytes as 32-bit
// words, so no 8/16-bit storage feature is needed) and defines one TYPE_* macro. rowBase = row * rowBytes.

uint byteAt(uint off) { return (W[off >> 2] >> ((off & 3u) * 8u)) & 0xFFu; }
// Little-endian 16-bit value at an even byte offset.
uint u16At(uint off) { return (W[off >> 2] >> ((off & 2u) * 8u)) & 0xFFFFu; }
float halfAt(uint off) { return unpackHalf2x16(u16At(off)).x; }
int sbyteAt(uint off) { return int(byteAt(off) << 24) >> 24; }
uint u32At(uint off) { return byteAt(off) | (byteAt(off + 1u) << 8) | (byteAt(off + 2u) << 16) | (byteAt(off + 3u) << 24); }

#if defined(TYPE_F32)
const uint BLOCK = 1u, BLOCK_BYTES = 4u;
float dq(uint rowBase, uint k) { return uintBitsToFloat(W[(rowBase >> 2) + k]); }
#elif defined(TYPE_F16)
const uint BLOCK = 1u, BLOCK_BYTES = 2u;
float dq(uint rowBase, uint k) { return halfAt(rowBase + 2u * k); }
#elif defined(TYPE_BF16)
const uint BLOCK = 1u, BLOCK_BYTES = 2u;
float dq(uint rowBase, uint k) { return uintBitsToFloat(u16At(rowBase + 2u * k) << 16); }
#else

#if defined(TYPE_Q4_0)
const uint BLOCK = 32u, BLOCK_BYTES = 18u;
float dqBlock(uint b, uint e)
{
    uint q = byteAt(b + 2u + (e & 15u));
    int nibble = int(e < 16u ? q & 15u : q >> 4);
    return float(nibble - 8) * halfAt(b);
}
#elif defined(TYPE_Q4_1)
const uint BLOCK = 32u, BLOCK_BYTES = 20u;
float dqBlock(uint b, uint e)
{
    uint q = byteAt(b + 4u + (e & 15u));
    uint nibble = e < 16u ? q & 15u : q >> 4;
    return float(nibble) * halfAt(b) + halfAt(b + 2u);
}
#elif defined(TYPE_Q5_0)
const uint BLOCK = 32u, BLOCK_BYTES = 22u;
float dqBlock(uint b, uint e)
{
    uint qh = u32At(b + 2u);
    uint q = byteAt(b + 6u + (e & 15u));
    uint v = (e < 16u ? q & 15u : q >> 4) | (((qh >> e) & 1u) << 4);
    return float(int(v) - 16) * halfAt(b);
}
#elif defined(TYPE_Q5_1)
const uint BLOCK = 32u, BLOCK_BYTES = 24u;
float dqBlock(uint b, uint e)
{
    uint qh = u32At(b + 4u);
    uint q = byteAt(b + 8u + (e & 15u));
    uint v = (e < 16u ? q & 15u : q >> 4) | (((qh >> e) & 1u) << 4);
    return float(v) * halfAt(b) + halfAt(b + 2u);
}
#elif defined(TYPE_Q8_0)
const uint BLOCK = 32u, BLOCK_BYTES = 34u;
float dqBlock(uint b, uint e) { return float(sbyteAt(b + 2u + e)) * halfAt(b); }
#elif defined(TYPE_Q2_K)
const uint BLOCK = 256u, BLOCK_BYTES = 84u;
float dqBlock(uint b, uint e)
{
    uint sm = byteAt(b + e / 16u);
    float scale = halfAt(b + 80u) * float(sm & 15u);
    float mn = halfAt(b + 82u) * float(sm >> 4);
    uint q = (byteAt(b + 16u + 32u * (e / 128u) + (e & 31u)) >> (2u * ((e & 127u) / 32u))) & 3u;
    return scale * float(q) - mn;
}
#elif defined(TYPE_Q3_K)
const uint BLOCK = 256u, BLOCK_BYTES = 110u;
float dqBlock(uint b, uint e)
{
    uint sub = e / 16u;
    uint low = sub < 8u ? byteAt(b + 96u + sub) & 15u : byteAt(b + 96u + sub - 8u) >> 4;
    uint high = (byteAt(b + 104u + (sub & 3u)) >> (2u * (sub / 4u))) & 3u;
    float scale = halfAt(b + 108u) * float(int(low | (high << 4)) - 32);
    uint hbit = (byteAt(b + (e & 31u)) >> (e / 32u)) & 1u;
    uint q2 = (byteAt(b + 32u + 32u * (e / 128u) + (e & 31u)) >> (2u * ((e & 127u) / 32u))) & 3u;
    return scale * float(int(q2) - (hbit != 0u ? 0 : 4));
}
#elif defined(TYPE_Q4_K) || defined(TYPE_Q5_K)
#if defined(TYPE_Q4_K)
const uint BLOCK = 256u, BLOCK_BYTES = 144u, QS = 16u;
#else
const uint BLOCK = 256u, BLOCK_BYTES = 176u, QS = 48u;
#endif
float dqBlock(uint b, uint e)
{
    uint sub = e / 32u, sc, m;
    if (sub < 4u)
    {
        sc = byteAt(b + 4u + sub) & 63u;
        m = byteAt(b + 8u + sub) & 63u;
    }
    else
    {
        sc = (byteAt(b + 8u + sub) & 15u) | ((byteAt(b + sub) >> 6) << 4);
        m = (byteAt(b + 8u + sub) >> 4) | ((byteAt(b + 4u + sub) >> 6) << 4);
    }
    float scale = halfAt(b) * float(sc);
    float mn = halfAt(b + 2u) * float(m);
    uint qsByte = byteAt(b + QS + 32u * (e / 64u) + (e & 31u));
    uint q = (e & 63u) < 32u ? qsByte & 15u : qsByte >> 4;
#if defined(TYPE_Q5_K)
    q += 16u * ((byteAt(b + 16u + (e & 31u)) >> (e / 32u)) & 1u);
#endif
    return scale * float(q) - mn;
}
#elif defined(TYPE_Q6_K)
const uint BLOCK = 256u, BLOCK_BYTES = 210u;
float dqBlock(uint b, uint e)
{
    uint half_ = e / 128u, quarter = (e & 127u) / 32u, l = e & 31u;
    uint lowByte = byteAt(b + 64u * half_ + 32u * (quarter & 1u) + l);
    uint low = quarter < 2u ? lowByte & 15u : lowByte >> 4;
    uint high = (byteAt(b + 128u + 32u * half_ + l) >> (2u * quarter)) & 3u;
    int q = int(low | (high << 4)) - 32;
    return halfAt(b + 208u) * float(sbyteAt(b + 192u + e / 16u)) * float(q);
}
#else
#error "define one TYPE_* macro"
#endif

float dq(uint rowBase, uint k) { return dqBlock(rowBase + (k / BLOCK) * BLOCK_BYTES, k % BLOCK); }
#endif
