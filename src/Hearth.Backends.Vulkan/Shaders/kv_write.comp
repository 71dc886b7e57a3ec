#version 450
// src [T, width], positions I32 [T] -> cache row positions[t] = src[t] (CACHE_F16: rounded to nearest even f16,
// two values per 32-bit word, so width must be even). Positions are range-checked on the host.
#include "common.glsl"

layout(binding = 0) readonly buffer Sb { float S[]; };
layout(binding = 1) readonly buffer Pb { int positions[]; };
layout(binding = 2) buffer Cb { uint C[]; };

layout(push_constant) uniform P { uint T; uint width; } p;

#if defined(CACHE_F16)
#include "f16.glsl"
#endif

void main()
{
    uint g = flatGroup() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
#if defined(CACHE_F16)
    uint words = p.width / 2u;
    if (g >= p.T * words) return;
    uint t = g / words, w = g % words;
    uint src = t * p.width + 2u * w;
    C[uint(positions[t]) * words + w] = floatToHalfBits(S[src]) | (floatToHalfBits(S[src + 1u]) << 16);
#else
    if (g >= p.T * p.width) return;
    uint t = g / p.width, i = g % p.width;
    C[uint(positions[t]) * p.width + i] = floatBitsToUint(S[t * p.width + i]);
#endif
}
