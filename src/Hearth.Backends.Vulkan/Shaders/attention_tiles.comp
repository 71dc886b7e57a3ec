#version 450
// Causal attention over the KV cache (contiguous, or paged through block tables), in key chunks of CHUNK positions:
// q [T, heads * headDim], positions I32 [T], K/V cache [rows, kvHeads * headDim] (CACHE_F16 or f32)
// -> y [T, heads * headDim] = softmax(scale * q . k[j]) @ v[j] over max(0, p - window + 1) <= j <= p.
//
// A workgroup serves a tile of query vectors: up to rowsPerTile rows x headsPerGroup query heads of ONE KV head, so
// every K/V chunk it loads into shared memory is read once for all of them (GQA groups and prefill rows alike).
// Chunks sit on a fixed grid (chunk c = positions [c * CHUNK, (c + 1) * CHUNK)), and segments of segmentChunks chunks
// on top (fixed by the cache's size, never by T). Each vector's partial softmax of a chunk (max, sum, weighted values;
// sums in ascending key order) depends only on that row; chunks fold (attention_fold.glsl) into the segment's state,
// segments into the row's, always in ascending order:
// - flash (default): the workgroup walks all chunks of its rows, does both folds, and writes y;
// - SPLIT (flash-decoding): workgroup z takes segment z and writes its state to partials [T, heads, maxSegments,
//   headDim + 2]; attention_combine.comp does the row fold of the segments.
// So a row's bits never depend on the kernel, the tile or the other rows (batch invariance).
#include "common.glsl"
#include "attention_fold.glsl"

layout(constant_id = 1) const uint CHUNK = 32u;  // keys per chunk; CHUNK x headDim <= KV_TILE (host)
layout(constant_id = 2) const uint D = 64u;      // head dimension (a constant: divisions by it become multiplies)

layout(binding = 0) readonly buffer Qb { float Q[]; };
layout(binding = 1) readonly buffer Pb { int positions[]; };
layout(binding = 2) readonly buffer Kb { uint Kc[]; };
layout(binding = 3) readonly buffer Vb { uint Vc[]; };
layout(binding = 4) writeonly buffer Yb { float Y[]; };  // y, or the partials with SPLIT
layout(binding = 5) readonly buffer Bb { int blockTables[]; };  // [T * maxBlocks] when blockSize > 0 (else unused)

layout(push_constant) uniform P
{
    uint T; uint heads; uint kvHeads; uint headDim; float scale; uint window; uint blockSize; uint maxBlocks;
    uint cacheRows;      // rows of the smaller cache: loads are clamped to it (keys no row uses may sit anywhere)
    uint headsPerGroup;  // query heads per workgroup (of one KV head)
    uint groupsPerKv;    // workgroups per KV head per row tile: ceil(heads / kvHeads / headsPerGroup)
    uint rowsPerTile;
    uint segmentChunks;  // chunks per segment
    uint maxSegments;    // SPLIT only: segments per (row, head) in the partials
} p;

const uint KV_TILE = 4096u, Q_TILE = 2048u, MAX_VECTORS = 16u, WORKGROUP = 64u;
const uint MAX_OWN = Q_TILE / WORKGROUP;  // accumulator elements per invocation (vectors x headDim <= Q_TILE, host)

shared float kvs[KV_TILE];                 // the chunk's keys, then its values [CHUNK, headDim]
shared float qs[Q_TILE];                   // [vectors, headDim]
shared float weights[MAX_VECTORS * 64u];   // [vectors, CHUNK]: scores, then exp(score - chunk max)
shared float alphas[MAX_VECTORS], betas[MAX_VECTORS], runMax[MAX_VECTORS], runSum[MAX_VECTORS], chunkMax[MAX_VECTORS];
shared float segMax[MAX_VECTORS], segSum[MAX_VECTORS], rowAlphas[MAX_VECTORS], rowBetas[MAX_VECTORS];
shared uint segEnds[MAX_VECTORS];          // 1 where this chunk closes the vector's segment
shared uint keyBase[64];                   // [CHUNK]: where each key of the chunk starts in the caches
shared int rowFirst[MAX_VECTORS], rowLast[MAX_VECTORS];
shared uint runEndShared;

float cacheAt(bool values, uint index)
{
#if defined(CACHE_F16)
    uint word = values ? Vc[index >> 1] : Kc[index >> 1];
    return unpackHalf2x16(word)[index & 1u];
#else
    return uintBitsToFloat(values ? Vc[index] : Kc[index]);
#endif
}

// Cache row of logical position j through query row t's block table (or j itself), clamped into the cache.
uint cacheRow(uint t, uint j)
{
    uint row = p.blockSize == 0u ? j : uint(blockTables[t * p.maxBlocks + min(j / p.blockSize, p.maxBlocks - 1u)]) * p.blockSize + j % p.blockSize;
    return min(row, p.cacheRows - 1u);
}

void main()
{
    uint group = flatGroup();
    uint sub = group % p.groupsPerKv, rest = group / p.groupsPerKv;
    uint kvHead = rest % p.kvHeads, tile = rest / p.kvHeads;
    uint r0 = tile * p.rowsPerTile;
    if (r0 >= p.T) return;  // whole workgroup: the flat grid may be padded
    uint groupHeads = p.heads / p.kvHeads;
    uint h0 = kvHead * groupHeads + sub * p.headsPerGroup;
    uint nh = min(p.headsPerGroup, groupHeads - sub * p.headsPerGroup);
    uint nr = min(p.rowsPerTile, p.T - r0);
    uint lid = gl_LocalInvocationID.x;
    const uint d = D;
    uint kvWidth = p.kvHeads * p.headDim, kvOffset = kvHead * p.headDim;

    // Rows whose block tables agree (up to the blocks each reads) form a run and share the K/V loads; rows of
    // different sequences in one step simply make several runs.
    for (uint runStart = 0u; runStart < nr;)
    {
        uint runEnd = nr;
        if (p.blockSize > 0u)
        {
            if (lid == 0u) runEndShared = nr;
            barrier();
            uint reference = (r0 + runStart) * p.maxBlocks;
            for (uint i = lid; i < (nr - runStart - 1u) * p.maxBlocks; i += WORKGROUP)
            {
                uint r = runStart + 1u + i / p.maxBlocks, b = i % p.maxBlocks;
                if (b <= uint(positions[r0 + r]) / p.blockSize && blockTables[(r0 + r) * p.maxBlocks + b] != blockTables[reference + b])
                    atomicMin(runEndShared, r);
            }
            barrier();
            runEnd = runEndShared;
            barrier();
        }
        uint rows = runEnd - runStart, vectors = rows * nh, tableRow = r0 + runStart;
        if (lid < rows)
        {
            int position = positions[tableRow + lid];
            rowFirst[lid] = p.window > 0u ? max(0, position - int(p.window) + 1) : 0;
            rowLast[lid] = position;
        }
        for (uint i = lid; i < vectors * d; i += WORKGROUP)
        {
            uint v = i / d;
            qs[i] = Q[((tableRow + v / nh) * p.heads + h0 + v % nh) * d + i % d];
        }
        if (lid < vectors) { runMax[lid] = -1.0 / 0.0; runSum[lid] = 0.0; segMax[lid] = -1.0 / 0.0; segSum[lid] = 0.0; }
        barrier();
        int lo = rowFirst[0], hi = rowLast[0];
        for (uint r = 1u; r < rows; r++) { lo = min(lo, rowFirst[r]); hi = max(hi, rowLast[r]); }
        uint chunkBegin = uint(lo) / CHUNK, chunkEnd = uint(hi) / CHUNK + 1u;
#if defined(SPLIT)
        chunkBegin = max(chunkBegin, gl_WorkGroupID.z * p.segmentChunks);
        chunkEnd = min(chunkEnd, (gl_WorkGroupID.z + 1u) * p.segmentChunks);
#endif
        float acc[MAX_OWN], segAcc[MAX_OWN];
        for (uint s = 0u; s < MAX_OWN; s++) { acc[s] = 0.0; segAcc[s] = 0.0; }

        for (uint c = chunkBegin; c < chunkEnd; c++)
        {
            uint j0 = c * CHUNK;
            if (lid < CHUNK) keyBase[lid] = cacheRow(tableRow, j0 + lid) * kvWidth + kvOffset;
            barrier();
            for (uint i = lid; i < CHUNK * d; i += WORKGROUP) kvs[i] = cacheAt(false, keyBase[i / d] + i % d);
            barrier();
            for (uint i = lid; i < vectors * CHUNK; i += WORKGROUP)
            {
                uint v = i / CHUNK, jj = i % CHUNK, r = v / nh;
                int j = int(j0 + jj);
                float score = -1.0 / 0.0;
                if (j >= rowFirst[r] && j <= rowLast[r])
                {
                    precise float dot = 0.0;
                    for (uint e = 0u; e < d; e++) dot += qs[v * d + e] * kvs[jj * d + e];
                    score = dot * p.scale;
                }
                weights[i] = score;
            }
            barrier();
            for (uint i = lid; i < CHUNK * d; i += WORKGROUP) kvs[i] = cacheAt(true, keyBase[i / d] + i % d);
            for (uint v = lid; v < vectors; v += WORKGROUP)
            {
                float m = -1.0 / 0.0;  // masked keys score -inf: the max of the chunk's keys of this row (any order: exact)
                for (uint jj = 0u; jj < CHUNK; jj++) m = max(m, weights[v * CHUNK + jj]);
                chunkMax[v] = m;
            }
            barrier();
            for (uint i = lid; i < vectors * CHUNK; i += WORKGROUP)
            {
                float m = chunkMax[i / CHUNK];
                if (m > -1.0 / 0.0) weights[i] = exp(weights[i] - m);  // masked: exp(-inf) = 0, never summed
            }
            barrier();
            // Each vector's chunk sum, by one invocation in ascending key order, folded into its segment; a segment
            // that ends here folds into the row (or, with SPLIT, is written out).
            for (uint v = lid; v < vectors; v += WORKGROUP)
            {
                segEnds[v] = 0u;
                uint r = v / nh;
                int from = max(rowFirst[r], int(j0)) - int(j0), to = min(rowLast[r], int(j0 + CHUNK) - 1) - int(j0);
                if (from > to) continue;
                precise float sum = 0.0;
                for (int jj = from; jj <= to; jj++) sum += weights[v * CHUNK + uint(jj)];
                float newMax, alpha, beta;
                foldFactors(segMax[v], chunkMax[v], newMax, alpha, beta);
                segSum[v] = foldValue(segSum[v], sum, alpha, beta);
                segMax[v] = newMax;
                alphas[v] = alpha;
                betas[v] = beta;
                if (c % p.segmentChunks != p.segmentChunks - 1u && c != uint(rowLast[r]) / CHUNK) continue;
                segEnds[v] = 1u;
#if defined(SPLIT)
                uint at = (((tableRow + r) * p.heads + h0 + v % nh) * p.maxSegments + c / p.segmentChunks) * (d + 2u);
                Y[at + d] = segMax[v];
                Y[at + d + 1u] = segSum[v];
#else
                foldFactors(runMax[v], segMax[v], newMax, alpha, beta);
                runSum[v] = foldValue(runSum[v], segSum[v], alpha, beta);
                runMax[v] = newMax;
                rowAlphas[v] = alpha;
                rowBetas[v] = beta;
#endif
                segMax[v] = -1.0 / 0.0;
                segSum[v] = 0.0;
            }
            barrier();
            for (uint s = 0u; s < MAX_OWN; s++)
            {
                uint i = lid + s * WORKGROUP;
                if (i >= vectors * d) break;
                uint v = i / d, e = i % d, r = v / nh;
                int from = max(rowFirst[r], int(j0)) - int(j0), to = min(rowLast[r], int(j0 + CHUNK) - 1) - int(j0);
                if (from > to) continue;
                precise float a = 0.0;
                for (int jj = from; jj <= to; jj++) a += weights[v * CHUNK + uint(jj)] * kvs[uint(jj) * d + e];
                segAcc[s] = foldValue(segAcc[s], a, alphas[v], betas[v]);
                if (segEnds[v] == 0u) continue;
#if defined(SPLIT)
                Y[(((tableRow + r) * p.heads + h0 + v % nh) * p.maxSegments + c / p.segmentChunks) * (d + 2u) + e] = segAcc[s];
#else
                acc[s] = foldValue(acc[s], segAcc[s], rowAlphas[v], rowBetas[v]);
#endif
                segAcc[s] = 0.0;
            }
            barrier();  // kvs and weights are rewritten by the next chunk
        }
#if !defined(SPLIT)
        for (uint s = 0u; s < MAX_OWN; s++)
        {
            uint i = lid + s * WORKGROUP;
            if (i >= vectors * d) break;
            uint v = i / d;
            Y[((tableRow + v / nh) * p.heads + h0 + v % nh) * d + i % d] = acc[s] / runSum[v];
        }
#endif
        barrier();  // the next run rewrites qs and the row ranges
        runStart = runEnd;
    }
}
