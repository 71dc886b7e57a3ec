// Shared by every Hearth compute shader. Workgroup size is specialization constant 0 (set per pipeline).
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

layout(local_size_x_id = 0) in;

// Grids wider than maxComputeWorkGroupCount[0] fold into y (the host splits as needed): a flat workgroup index.
uint flatGroup() { return gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x; }

shared float hearth_partials[128];

// Sum of v over the workgroup: subgroupAdd inside each subgroup, then the subgroup sums through shared memory.
// Every invocation must call it (it has barriers) and gets the total.
float workgroupSum(float v)
{
    v = subgroupAdd(v);
    if (subgroupElect()) hearth_partials[gl_SubgroupID] = v;
    barrier();
    float total = 0.0;
    for (uint i = 0; i < gl_NumSubgroups; i++) total += hearth_partials[i];
    barrier();
    return total;
}

float workgroupMax(float v)
{
    v = subgroupMax(v);
    if (subgroupElect()) hearth_partials[gl_SubgroupID] = v;
    barrier();
    float m = hearth_partials[0];
    for (uint i = 1; i < gl_NumSubgroups; i++) m = max(m, hearth_partials[i]);
    barrier();
    return m;
}
