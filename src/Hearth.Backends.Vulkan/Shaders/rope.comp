#version 450
// x [T, heads * headDim], positions I32 [T], invFreq [headDim / 2] -> y: each pair rotated by positions[t] * invFreq[i].
// neox = 0: pairs (2i, 2i + 1) (GGML normal); neox = 1: pairs (i, i + headDim / 2). One invocation per pair.
#include "common.glsl"

layout(binding = 0) readonly buffer Xb { float X[]; };
layout(binding = 1) readonly buffer Pb { int positions[]; };
layout(binding = 2) readonly buffer Fb { float invFreq[]; };
layout(binding = 3) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint T; uint heads; uint headDim; uint neox; } p;

void main()
{
    uint half_ = p.headDim / 2u;
    uint g = flatGroup() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (g >= p.T * p.heads * half_) return;
    uint i = g % half_, h = (g / half_) % p.heads, t = g / (half_ * p.heads);
    // The angle is a float32 product as in PyTorch.
    float angle = float(positions[t]) * invFreq[i];
    float c = cos(angle), s = sin(angle);
    uint head = t * p.heads * p.headDim + h * p.headDim;
    uint first = p.neox != 0u ? head + i : head + 2u * i;
    uint second = p.neox != 0u ? first + half_ : first + 1u;
    float x0 = X[first], x1 = X[second];
    Y[first] = x0 * c - x1 * s;
    Y[second] = x0 * s + x1 * c;
}
