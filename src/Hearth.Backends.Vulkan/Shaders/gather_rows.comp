#version 450
// x [T, n], rows I32 [R] -> y [R, n] = x[rows[r]] (each sequence's last token to the LM head). Rows are range-checked on the host.
#include "common.glsl"

layout(binding = 0) readonly buffer Xb { float X[]; };
layout(binding = 1) readonly buffer Rb { int rows[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint n; uint R; } p;

void main()
{
    uint i = flatGroup() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.n * p.R) return;
    uint r = i / p.n, k = i % p.n;
    Y[i] = X[uint(rows[r]) * p.n + k];
}
