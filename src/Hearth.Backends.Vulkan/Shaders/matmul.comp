#version 450
// Prefill matrix-matrix product, tiled: W [N, K] (TYPE_*) x X [T, K] -> Y [T, outStride] columns
// [rowStart, rowStart + N); xOffset / yOffset (elements) place X and Y inside their bindings. A workgroup of 256
// computes a 64 (tokens) x 64 (rows) tile, each invocation a 4 x 4 block of it, staging 16-wide K slices of X and of
// W (dequantized once per slice, reused by 64 tokens) in shared memory. Workgroup size must be 256 (constant 0).
#include "common.glsl"

layout(binding = 0) readonly buffer Wb { uint W[]; };
layout(binding = 1) readonly buffer Xb { float X[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint K; uint N; uint T; uint rowStart; uint outStride; uint rowBytes; uint xOffset; uint yOffset; } p;

#include "dequant.glsl"

const uint TILE = 64u, BK = 16u, SUB = 4u;
shared float Ws[TILE][BK + 1u];
shared float Xs[TILE][BK + 1u];

void main()
{
    uint lid = gl_LocalInvocationID.x;
    uint n0 = flatGroup() * TILE, t0 = gl_WorkGroupID.z * TILE;
    uint tx = lid % 16u, ty = lid / 16u;  // rows n0 + tx + 16 i, tokens t0 + ty + 16 j
    float acc[SUB][SUB];
    for (uint j = 0u; j < SUB; j++)
        for (uint i = 0u; i < SUB; i++) acc[j][i] = 0.0;
    for (uint k0 = 0u; k0 < p.K; k0 += BK)
    {
        for (uint e = lid; e < TILE * BK; e += 256u)
        {
            uint r = e / BK, k = e % BK;
            uint n = n0 + r, t = t0 + r, kk = k0 + k;
            Ws[r][k] = (n < p.N && kk < p.K) ? dq(n * p.rowBytes, kk) : 0.0;
            Xs[r][k] = (t < p.T && kk < p.K) ? X[p.xOffset + t * p.K + kk] : 0.0;
        }
        barrier();
        for (uint k = 0u; k < BK; k++)
        {
            float a[SUB], b[SUB];
            for (uint j = 0u; j < SUB; j++) a[j] = Xs[ty + 16u * j][k];
            for (uint i = 0u; i < SUB; i++) b[i] = Ws[tx + 16u * i][k];
            for (uint j = 0u; j < SUB; j++)
                for (uint i = 0u; i < SUB; i++) acc[j][i] += a[j] * b[i];
        }
        barrier();
    }
    for (uint j = 0u; j < SUB; j++)
    {
        uint t = t0 + ty + 16u * j;
        if (t >= p.T) continue;
        for (uint i = 0u; i < SUB; i++)
        {
            uint n = n0 + tx + 16u * i;
            if (n < p.N) Y[p.yOffset + t * p.outStride + p.rowStart + n] = acc[j][i];
        }
    }
}
