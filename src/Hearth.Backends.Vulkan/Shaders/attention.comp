#version 450
// Causal attention over the KV cache (simple and exact; decode split-K and flash prefill come later):
// q [T, heads * headDim], positions I32 [T], K/V cache [capacity, kvHeads * headDim] (CACHE_F16 or f32)
// -> y [T, heads * headDim] = softmax(scale * q . k[j]) @ v[j] over max(0, p - window + 1) <= j <= p.
// One workgroup per (head, token); invocations own dimensions d; keys are visited in order with an online softmax.
#include "common.glsl"

layout(binding = 0) readonly buffer Qb { float Q[]; };
layout(binding = 1) readonly buffer Pb { int positions[]; };
layout(binding = 2) readonly buffer Kb { uint Kc[]; };
layout(binding = 3) readonly buffer Vb { uint Vc[]; };
layout(binding = 4) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint T; uint heads; uint kvHeads; uint headDim; float scale; uint window; } p;

const uint MAX_PER_INVOCATION = 8u;  // headDim <= 8 * workgroup size (checked on the host)

float cacheAt(uint which, uint index)
{
#if defined(CACHE_F16)
    uint word = which == 0u ? Kc[index >> 1] : Vc[index >> 1];
    return unpackHalf2x16(word).x * float((index & 1u) == 0u) + unpackHalf2x16(word).y * float((index & 1u) == 1u);
#else
    return uintBitsToFloat(which == 0u ? Kc[index] : Vc[index]);
#endif
}

void main()
{
    uint h = gl_WorkGroupID.x, t = gl_WorkGroupID.z;
    uint lid = gl_LocalInvocationID.x, size = gl_WorkGroupSize.x;
    uint kvWidth = p.kvHeads * p.headDim;
    uint kvOffset = h / (p.heads / p.kvHeads) * p.headDim;
    uint qBase = t * p.heads * p.headDim + h * p.headDim;
    int position = positions[t];
    int first = p.window > 0u ? max(0, position - int(p.window) + 1) : 0;

    float q[MAX_PER_INVOCATION], acc[MAX_PER_INVOCATION];
    for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
    {
        uint d = lid + s * size;
        q[s] = d < p.headDim ? Q[qBase + d] : 0.0;
        acc[s] = 0.0;
    }
    float runningMax = -1.0 / 0.0, runningSum = 0.0;
    for (int j = first; j <= position; j++)
    {
        uint row = uint(j) * kvWidth + kvOffset;
        float partial = 0.0;
        for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
        {
            uint d = lid + s * size;
            if (d < p.headDim) partial += q[s] * cacheAt(0u, row + d);
        }
        float score = workgroupSum(partial) * p.scale;
        float newMax = max(runningMax, score);
        float correction = exp(runningMax - newMax);
        float weight = exp(score - newMax);
        runningSum = runningSum * correction + weight;
        for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
        {
            uint d = lid + s * size;
            if (d < p.headDim) acc[s] = acc[s] * correction + weight * cacheAt(1u, row + d);
        }
        runningMax = newMax;
    }
    for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
    {
        uint d = lid + s * size;
        if (d < p.headDim) Y[qBase + d] = acc[s] / runningSum;
    }
}
