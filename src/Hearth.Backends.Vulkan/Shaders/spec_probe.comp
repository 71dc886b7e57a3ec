#version 450
// Test shader for specialization constants: out[i] = workgroup size * 1000 + constant 1, for every invocation i.
#include "common.glsl"

layout(constant_id = 1) const uint PROBE = 0u;

layout(binding = 0) writeonly buffer Yb { uint Y[]; };

void main() { Y[gl_GlobalInvocationID.x] = gl_WorkGroupSize.x * 1000u + PROBE; }
