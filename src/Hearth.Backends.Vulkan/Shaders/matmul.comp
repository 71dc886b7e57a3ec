#version 450
// Prefill matrix-matrix product, tiled: W [N, K] (TYPE_*) x X [T, K] -> Y [T, outStride] columns
// [rowStart, rowStart + N). A workgroup of 256 computes a 16 (tokens) x 16 (rows) tile, staging 32-wide K slices of
// X and of W (dequantized once per slice) in shared memory. Workgroup size must be 256 (spec constant 0).
#include "common.glsl"

layout(binding = 0) readonly buffer Wb { uint W[]; };
layout(binding = 1) readonly buffer Xb { float X[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint K; uint N; uint T; uint rowStart; uint outStride; uint rowBytes; uint xOffset; uint yOffset; } p;

#include "dequant.glsl"

const uint TILE = 16u, BK = 32u;
shared float Ws[TILE][BK + 1u];
shared float Xs[TILE][BK + 1u];

void main()
{
    uint lid = gl_LocalInvocationID.x;
    uint n0 = flatGroup() * TILE, t0 = gl_WorkGroupID.z * TILE;
    uint tn = lid % TILE, tt = lid / TILE;
    float acc = 0.0;
    for (uint k0 = 0u; k0 < p.K; k0 += BK)
    {
        for (uint i = lid; i < TILE * BK; i += 256u)
        {
            uint r = i / BK, k = i % BK;
            uint n = n0 + r, t = t0 + r, kk = k0 + k;
            Ws[r][k] = (n < p.N && kk < p.K) ? dq(n * p.rowBytes, kk) : 0.0;
            Xs[r][k] = (t < p.T && kk < p.K) ? X[p.xOffset + t * p.K + kk] : 0.0;
        }
        barrier();
        for (uint k = 0u; k < BK; k++) acc += Xs[tt][k] * Ws[tn][k];
        barrier();
    }
    uint n = n0 + tn, t = t0 + tt;
    if (n < p.N && t < p.T) Y[p.yOffset + t * p.outStride + p.rowStart + n] = acc;
}
