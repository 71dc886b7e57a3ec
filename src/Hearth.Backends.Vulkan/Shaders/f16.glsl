// float -> IEEE half bits, round to nearest even (what .NET's (Half) cast does), independent of the driver's
// packHalf2x16 rounding mode. Overflow gives infinity, NaN stays NaN.
uint floatToHalfBits(float value)
{
    uint x = floatBitsToUint(value);
    uint sign = (x >> 16) & 0x8000u;
    uint exponent = (x >> 23) & 0xFFu;
    uint mantissa = x & 0x7FFFFFu;
    if (exponent == 0xFFu) return sign | 0x7C00u | (mantissa != 0u ? 0x200u : 0u);
    int e = int(exponent) - 127 + 15;
    if (e >= 31) return sign | 0x7C00u;
    if (e <= 0)
    {
        if (e < -10) return sign;
        mantissa |= 0x800000u;
        uint shift = uint(14 - e);
        uint half_ = mantissa >> shift;
        uint rest = mantissa & ((1u << shift) - 1u);
        uint halfway = 1u << (shift - 1u);
        if (rest > halfway || (rest == halfway && (half_ & 1u) != 0u)) half_++;
        return sign | half_;
    }
    uint h = (uint(e) << 10) | (mantissa >> 13);
    uint rest = mantissa & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0u)) h++;  // a carry into the exponent is still correct
    return sign | h;
}
