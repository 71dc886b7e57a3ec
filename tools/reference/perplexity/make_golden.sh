#!/usr/bin/env bash
# Writes tests/data/perplexity/llama-cpp.json: llama.cpp's llama-perplexity on the shipped model's GGUF and a
# KJV text (Luke 1-2, public domain), for PerplexityLlamaCppTests. Rerun whenever models/hearth-tiny changes.
#
#   bash tools/reference/perplexity/make_golden.sh /tmp/llama.cpp   # a llama.cpp checkout built with llama-perplexity
#
# (Build llama.cpp out of tree, never committed: see tools/reference/ggml-quantize/README.md.)
set -euo pipefail
llama=${1:?path to a built llama.cpp checkout}
root=$(cd "$(dirname "$0")/../../.." && pwd)
model=models/hearth-tiny/model.gguf text=kjv-luke-1-2.txt ctx=64
out=$("$llama/build/bin/llama-perplexity" -m "$root/$model" -f "$root/tests/data/perplexity/$text" -c $ctx -t 1 2>&1)
final=$(grep -o 'Final estimate: PPL = [0-9.]* +/- [0-9.]*' <<<"$out")
chunks=$(grep -o 'calculating perplexity over [0-9]* chunks' <<<"$out" | grep -o '[0-9]*')
ppl=$(awk '{print $5}' <<<"$final"); err=$(awk '{print $7}' <<<"$final")
cat > "$root/tests/data/perplexity/llama-cpp.json" <<JSON
{
  "generator": "tools/reference/perplexity/make_golden.sh (llama-perplexity -c $ctx -t 1)",
  "llama_cpp_commit": "$(git -C "$llama" rev-parse HEAD)",
  "model": "$model",
  "model_sha256": "$(sha256sum "$root/$model" | cut -d' ' -f1)",
  "text": "$text",
  "context": $ctx,
  "chunks": $chunks,
  "ppl": $ppl,
  "ppl_stderr": $err
}
JSON
cat "$root/tests/data/perplexity/llama-cpp.json"
