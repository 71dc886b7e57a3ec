#version 450
// Embedding lookup: table rows [rowStart, rowStart + rows) (TYPE_*), ids I32 [T] -> Y [T, dim]; a token whose id
// falls in another chunk of the table is written by that chunk's dispatch. Ids are range-checked on the host.
#include "common.glsl"

layout(binding = 0) readonly buffer Wb { uint W[]; };
layout(binding = 1) readonly buffer Ib { int ids[]; };
layout(binding = 2) writeonly buffer Yb { float Y[]; };

layout(push_constant) uniform P { uint dim; uint rowStart; uint rows; uint T; uint rowBytes; } p;

#include "dequant.glsl"

void main()
{
    uint k = gl_GlobalInvocationID.x, t = gl_WorkGroupID.z;
    if (k >= p.dim) return;
    uint id = uint(ids[t]);
    if (id < p.rowStart || id >= p.rowStart + p.rows) return;
    Y[t * p.dim + k] = dq((id - p.rowStart) * p.rowBytes, k);
}
