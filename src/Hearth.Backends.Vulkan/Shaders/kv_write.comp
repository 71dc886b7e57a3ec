#version 450
// src [T, width], slots I32 [T] -> cache row slots[t] = src[t] (CACHE_F16: rounded to nearest even f16, two values
// per 32-bit word; rows of an odd width share words, so each half is cleared and set with atomics). Slots are
// range-checked on the host.
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
    if (g >= p.T * p.width) return;
    uint t = g / p.width, i = g % p.width;
    uint index = uint(positions[t]) * p.width + i;
    uint shift = (index & 1u) * 16u;
    atomicAnd(C[index >> 1], ~(0xFFFFu << shift));
    atomicOr(C[index >> 1], floatToHalfBits(S[t * p.width + i]) << shift);
#else
    if (g >= p.T * p.width) return;
    uint t = g / p.width, i = g % p.width;
    C[uint(positions[t]) * p.width + i] = floatBitsToUint(S[t * p.width + i]);
#endif
}
