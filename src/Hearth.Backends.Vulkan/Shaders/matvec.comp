#version 450
// Matrix-vector product, MAX_T tokens per workgroup (z = token group): W [N, K] (storage type TYPE_*) x X [T, K] -> Y [T, outStride]
// columns [rowStart, rowStart + N); xOffset / yOffset (elements) place X and Y inside their bindings. A workgroup computes ROWS rows (specialization constant 1) for every
// token of its group: each invocation walks K with the workgroup's stride, dequantizing each weight once for all tokens, then the
// ROWS x T partial sums are reduced with subgroupAdd and one pass through shared memory.
#include "common.glsl"

layout(constant_id = 1) const uint ROWS = 8u;
const uint MAX_T = 4u;
const uint MAX_SUBGROUPS = 32u;  // workgroup size / subgroup size (the host keeps the workgroup at most 32 x subgroup)

layout(binding = 0) readonly buffer Wb { uint W[]; };
layout(binding = 1) readonly buffer Xb { float X[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint K; uint N; uint T; uint rowStart; uint outStride; uint rowBytes; uint xOffset; uint yOffset; } p;

#include "dequant.glsl"

shared float sums[ROWS * MAX_T * MAX_SUBGROUPS];

void main()
{
    uint row0 = flatGroup() * ROWS;
    uint tBase = gl_WorkGroupID.z * MAX_T;  // a token's sum never depends on the other tokens: steps are batch-invariant
    if (row0 >= p.N) return;  // uniform over the workgroup
    float acc[ROWS * MAX_T];
    for (uint i = 0u; i < ROWS * MAX_T; i++) acc[i] = 0.0;
    for (uint k = gl_LocalInvocationID.x; k < p.K; k += gl_WorkGroupSize.x)
    {
        float x[MAX_T];
        for (uint t = 0u; t < MAX_T; t++) x[t] = tBase + t < p.T ? X[p.xOffset + (tBase + t) * p.K + k] : 0.0;
        for (uint r = 0u; r < ROWS; r++)
        {
            if (row0 + r >= p.N) break;
            float w = dq((row0 + r) * p.rowBytes, k);
            for (uint t = 0u; t < MAX_T; t++) acc[r * MAX_T + t] += w * x[t];
        }
    }
    for (uint i = 0u; i < ROWS * MAX_T; i++)
    {
        float s = subgroupAdd(acc[i]);
        if (subgroupElect()) sums[i * MAX_SUBGROUPS + gl_SubgroupID] = s;
    }
    barrier();
    for (uint i = gl_LocalInvocationID.x; i < ROWS * MAX_T; i += gl_WorkGroupSize.x)
    {
        uint r = i / MAX_T, t = i % MAX_T;
        if (row0 + r >= p.N || tBase + t >= p.T) continue;
        float total = 0.0;
        for (uint s = 0u; s < gl_NumSubgroups; s++) total += sums[i * MAX_SUBGROUPS + s];
        Y[p.yOffset + (tBase + t) * p.outStride + p.rowStart + row0 + r] = total;
    }
}
