#version 450
// x [rows, n] -> y [rows, 2k + 2] (OpKind.TopK): per row the k largest values (descending, lower index first on ties,
// NaN as -inf), their indices as floats, the maximum and log(sum(exp(x - max))) (0 when the maximum is not finite).
// One workgroup per row: k rounds, each a workgroup argmax over the elements that come after the previous pick in
// (value descending, index ascending) order. k is small (the sampler's candidates), so k passes over the row cost less
// than sorting it, and every round is exact: the result does not depend on the device or the workgroup size.
#include "common.glsl"

layout(binding = 0) readonly buffer Xb { float X[]; };
layout(binding = 1) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint n; uint k; uint rows; } p;

shared float pickValue[128];
shared uint pickIndex[128];

#define NEG_INF uintBitsToFloat(0xFF800000u)
const uint NONE = 0xFFFFFFFFu;

float load(uint i) { float v = X[i]; return isnan(v) ? NEG_INF : v; }

// Whether (v, i) comes before (w, j): the larger value, then the lower index.
bool before(float v, uint i, float w, uint j) { return v > w || (v == w && i < j); }

void main()
{
    uint row = flatGroup();
    if (row >= p.rows) return;  // uniform over the workgroup
    uint base = row * p.n;
    uint outBase = row * (2 * p.k + 2);
    float lastValue = NEG_INF;
    uint lastIndex = NONE;
    float maxValue = NEG_INF;
    for (uint r = 0; r < p.k; r++)
    {
        float bv = NEG_INF;
        uint bi = NONE;
        for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x)
        {
            float v = load(base + i);
            if ((r == 0 || before(lastValue, lastIndex, v, i)) && before(v, i, bv, bi)) { bv = v; bi = i; }
        }
        float sv = subgroupMax(bv);
        uint si = subgroupMin(bv == sv ? bi : NONE);
        if (subgroupElect()) { pickValue[gl_SubgroupID] = sv; pickIndex[gl_SubgroupID] = si; }
        barrier();
        bv = pickValue[0];
        bi = pickIndex[0];
        for (uint s = 1; s < gl_NumSubgroups; s++)
            if (before(pickValue[s], pickIndex[s], bv, bi)) { bv = pickValue[s]; bi = pickIndex[s]; }
        barrier();
        if (gl_LocalInvocationID.x == 0)
        {
            Y[outBase + r] = bv;
            Y[outBase + p.k + r] = float(bi);
        }
        lastValue = bv;
        lastIndex = bi;
        if (r == 0) maxValue = bv;
    }
    bool finite = !isinf(maxValue) && !isnan(maxValue);
    float sum = 0.0;
    if (finite)
        for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x) sum += exp(load(base + i) - maxValue);
    sum = workgroupSum(sum);
    if (gl_LocalInvocationID.x == 0)
    {
        Y[outBase + 2 * p.k] = maxValue;
        Y[outBase + 2 * p.k + 1] = finite ? log(sum) : 0.0;
    }
}
