#!/usr/bin/env bash
# Compiles src/Hearth.Backends.Vulkan/Shaders/*.comp to SPIR-V (one .spv per variant) under Shaders/spv/.
# The .spv files are committed and embedded, so building Hearth needs no Vulkan tools; run this after editing a
# shader (needs glslc: apt-get install glslc). VulkanShaderTests fails when the committed files are stale.
# Usage: tools/vulkan/compile-shaders.sh [output-dir]
set -euo pipefail
cd "$(dirname "$0")/../../src/Hearth.Backends.Vulkan/Shaders"
out="${1:-spv}"
mkdir -p "$out"
compile() {  # compile NAME SOURCE [DEFINES...]
  local name=$1 source=$2; shift 2
  glslc --target-env=vulkan1.2 -O "$@" -o "$out/$name.spv" "$source"
}
types=(F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K Q4_K Q5_K Q6_K)
for type in "${types[@]}"; do
  lower=$(tr '[:upper:]' '[:lower:]' <<<"$type")
  compile "matvec_$lower" matvec.comp "-DTYPE_$type"
  compile "matmul_$lower" matmul.comp "-DTYPE_$type"
  compile "embedding_$lower" embedding.comp "-DTYPE_$type"
done
for op in ADD MUL SCALE SILU_MUL COPY; do
  compile "$(tr '[:upper:]' '[:lower:]' <<<"$op")" elementwise.comp "-DOP_$op"
done
compile rmsnorm rmsnorm.comp
compile rope rope.comp
compile gather_rows gather_rows.comp
compile topk topk.comp
compile kv_write_f32 kv_write.comp
compile kv_write_f16 kv_write.comp -DCACHE_F16
compile attention_f32 attention.comp
compile attention_f16 attention.comp -DCACHE_F16
compile attention_flash_f32 attention_tiles.comp
compile attention_flash_f16 attention_tiles.comp -DCACHE_F16
compile attention_split_f32 attention_tiles.comp -DSPLIT
compile attention_split_f16 attention_tiles.comp -DSPLIT -DCACHE_F16
compile attention_combine attention_combine.comp
compile spec_probe spec_probe.comp
