#version 450
// Element-wise ops over `count` floats, one variant per OP_*:
// OP_ADD / OP_MUL: y = a op b[i % bCount] (bCount = count, or the row width to broadcast a row);
// OP_SCALE: y = a * scale; OP_SILU_MUL: y = a * sigmoid(a) * b; OP_COPY: y[dstOffset + i] = a[srcOffset + i].
#include "common.glsl"

layout(binding = 0) readonly buffer Ab { float A[]; };
layout(binding = 1) readonly buffer Bb { float B[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint count; uint bCount; float scale; uint srcOffset; uint dstOffset; } p;

void main()
{
    uint i = flatGroup() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.count) return;
#if defined(OP_ADD)
    Y[i] = A[i] + B[i % p.bCount];
#elif defined(OP_MUL)
    Y[i] = A[i] * B[i % p.bCount];
#elif defined(OP_SCALE)
    Y[i] = A[i] * p.scale;
#elif defined(OP_SILU_MUL)
    float g = A[i];
    Y[i] = (g / (1.0 + exp(-g))) * B[i];
#elif defined(OP_COPY)
    Y[p.dstOffset + i] = A[p.srcOffset + i];
#else
#error "define one OP_* macro"
#endif
}
