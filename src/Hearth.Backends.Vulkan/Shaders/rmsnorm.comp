#version 450
// x [rows, n], w [n] -> y = w * (x * (1 / sqrt(mean(x^2) + eps))); one workgroup per row.
#include "common.glsl"

layout(binding = 0) readonly buffer Xb { float X[]; };
layout(binding = 1) readonly buffer Wb { float Wt[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint n; float eps; uint rows; } p;

void main()
{
    uint row = flatGroup();
    if (row >= p.rows) return;  // uniform over the workgroup
    uint base = row * p.n;
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) sum += X[base + i] * X[base + i];
    float mean = workgroupSum(sum) / float(p.n);
    float inverseRms = 1.0 / sqrt(mean + p.eps);
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) Y[base + i] = Wt[i] * (X[base + i] * inverseRms);
}
