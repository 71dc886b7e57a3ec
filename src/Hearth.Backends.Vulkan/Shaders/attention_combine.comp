#version 450
// Second dispatch of split-K (flash-decoding) attention: folds the per-segment partials that attention_tiles.comp
// (-DSPLIT) wrote for each (row, head), in ascending segment order, exactly as the flash path folds its segments.
// partials [T, heads, maxSegments, headDim + 2] (a[headDim], m, s), positions I32 [T] -> y [T, heads * headDim].
// One workgroup per (row, head); each invocation owns dimensions lid, lid + size, ...
#include "common.glsl"
#include "attention_fold.glsl"

layout(binding = 0) readonly buffer Pb { float partials[]; };
layout(binding = 1) readonly buffer Posb { int positions[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint T; uint heads; uint headDim; uint window; uint maxSegments; uint chunk; uint segmentChunks; } p;

const uint MAX_PER_INVOCATION = 8u;  // headDim <= 8 x workgroup size (checked on the host)

void main()
{
    uint index = flatGroup();  // row * heads + head
    if (index >= p.T * p.heads) return;
    uint row = index / p.heads;
    uint lid = gl_LocalInvocationID.x, size = gl_WorkGroupSize.x;
    int position = positions[row];
    int first = p.window > 0u ? max(0, position - int(p.window) + 1) : 0;
    uint stride = p.headDim + 2u;
    uint base = index * p.maxSegments * stride;
    uint segmentKeys = p.chunk * p.segmentChunks;

    float runningMax = -1.0 / 0.0, runningSum = 0.0;
    float acc[MAX_PER_INVOCATION];
    for (uint s = 0u; s < MAX_PER_INVOCATION; s++) acc[s] = 0.0;
    for (uint c = uint(first) / segmentKeys; c <= uint(position) / segmentKeys; c++)
    {
        uint at = base + c * stride;
        float newMax, alpha, beta;
        foldFactors(runningMax, partials[at + p.headDim], newMax, alpha, beta);
        runningSum = foldValue(runningSum, partials[at + p.headDim + 1u], alpha, beta);
        runningMax = newMax;
        for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
        {
            uint d = lid + s * size;
            if (d < p.headDim) acc[s] = foldValue(acc[s], partials[at + d], alpha, beta);
        }
    }
    for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
    {
        uint d = lid + s * size;
        if (d < p.headDim) Y[index * p.headDim + d] = acc[s] / runningSum;
    }
}
