#version 450
// Decode matrix-vector product: W [N, K] (storage type TYPE_*) x X [T, K] -> Y [T, outStride] columns
// [rowStart, rowStart + N). One workgroup per (row, token); the row's dot product is split over the workgroup and
// reduced with subgroupAdd. Used for small T; matmul.comp handles prefill.
#include "common.glsl"

layout(binding = 0) readonly buffer Wb { uint W[]; };
layout(binding = 1) readonly buffer Xb { float X[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint K; uint N; uint T; uint rowStart; uint outStride; uint rowBytes; } p;

#include "dequant.glsl"

void main()
{
    uint row = flatGroup();
    uint t = gl_WorkGroupID.z;
    if (row >= p.N) return;  // uniform over the workgroup
    uint rowBase = row * p.rowBytes;
    uint x0 = t * p.K;
    float acc = 0.0;
    for (uint k = gl_LocalInvocationID.x; k < p.K; k += gl_WorkGroupSize.x) acc += dq(rowBase, k) * X[x0 + k];
    float total = workgroupSum(acc);
    if (gl_LocalInvocationID.x == 0u) Y[t * p.outStride + p.rowStart + row] = total;
}
