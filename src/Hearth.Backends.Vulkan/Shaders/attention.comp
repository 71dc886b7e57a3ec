#version 450
// Causal attention over the KV cache, contiguous or paged (block tables) (simple and exact; decode split-K and flash prefill come later):
// q [T, heads * headDim], positions I32 [T], K/V cache [capacity, kvHeads * headDim] (CACHE_F16 or f32)
// -> y [T, heads * headDim] = softmax(scale * q . k[j]) @ v[j] over max(0, p - window + 1) <= j <= p.
// One workgroup per (head, token); keys are taken a workgroup-sized chunk at a time (see main) with an online softmax.
#include "common.glsl"

layout(binding = 0) readonly buffer Qb { float Q[]; };
layout(binding = 1) readonly buffer Pb { int positions[]; };
layout(binding = 2) readonly buffer Kb { uint Kc[]; };
layout(binding = 3) readonly buffer Vb { uint Vc[]; };
layout(binding = 4) writeonly buffer Yb { float Y[]; };
layout(binding = 5) readonly buffer Bb { int blockTables[]; };  // [T * maxBlocks] when blockSize > 0 (else unused)

layout(push_constant) uniform P { uint T; uint heads; uint kvHeads; uint headDim; float scale; uint window; uint blockSize; uint maxBlocks; } p;

// Cache row of logical position j for query t: paged through the block table, or j itself (one contiguous sequence).
uint cacheRow(uint t, uint j)
{
    if (p.blockSize == 0u) return j;
    return uint(blockTables[t * p.maxBlocks + j / p.blockSize]) * p.blockSize + j % p.blockSize;
}

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

shared float qs[8u * 64u];  // headDim <= 8 x workgroup size, workgroup size 64 (checked on the host)
shared float weights[256];

void main()
{
    uint h = gl_WorkGroupID.x, t = gl_WorkGroupID.z;
    uint lid = gl_LocalInvocationID.x, size = gl_WorkGroupSize.x;
    uint kvWidth = p.kvHeads * p.headDim;
    uint kvOffset = h / (p.heads / p.kvHeads) * p.headDim;
    uint qBase = t * p.heads * p.headDim + h * p.headDim;
    int position = positions[t];
    int first = p.window > 0u ? max(0, position - int(p.window) + 1) : 0;

    for (uint d = lid; d < p.headDim; d += size) qs[d] = Q[qBase + d];
    float acc[MAX_PER_INVOCATION];
    for (uint s = 0u; s < MAX_PER_INVOCATION; s++) acc[s] = 0.0;
    barrier();

    // Keys in chunks of one per invocation: each invocation scores its key alone, the chunk's softmax weights go
    // through shared memory, then invocations (owning dimensions) fold the chunk's values in. Online softmax across chunks.
    float runningMax = -1.0 / 0.0, runningSum = 0.0;
    for (int c = first; c <= position; c += int(size))
    {
        int j = c + int(lid);
        float score = -1.0 / 0.0;
        if (j <= position)
        {
            uint row = cacheRow(t, uint(j)) * kvWidth + kvOffset;
            float dot = 0.0;
            for (uint d = 0u; d < p.headDim; d++) dot += qs[d] * cacheAt(0u, row + d);
            score = dot * p.scale;
        }
        float newMax = max(runningMax, workgroupMax(score));
        float weight = j <= position ? exp(score - newMax) : 0.0;
        weights[lid] = weight;
        float chunkSum = workgroupSum(weight);  // its barriers also publish weights[]
        float correction = exp(runningMax - newMax);
        runningSum = runningSum * correction + chunkSum;
        uint count = min(size, uint(position - c + 1));
        for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
        {
            uint d = lid + s * size;
            if (d >= p.headDim) break;
            float a = acc[s] * correction;
            for (uint i = 0u; i < count; i++) a += weights[i] * cacheAt(1u, cacheRow(t, uint(c) + i) * kvWidth + kvOffset + d);
            acc[s] = a;
        }
        runningMax = newMax;
        barrier();  // weights[] is rewritten by the next chunk
    }
    for (uint s = 0u; s < MAX_PER_INVOCATION; s++)
    {
        uint d = lid + s * size;
        if (d < p.headDim) Y[qBase + d] = acc[s] / runningSum;
    }
}
