#!/usr/bin/env bash
# Quantizes a model into every preset and measures perplexity of each on one text, printing a Markdown
# table (type, file size, bits per weight, PPL +- standard error, change against F16). The figures of
# issue 5's quality table come from this script.
#
#   bash tools/quality/ppl-table.sh MODEL TEXT [CONTEXT] [WORKDIR]
#   e.g. bash tools/quality/ppl-table.sh models/hearth-tiny/model.gguf /tmp/luke.txt 128
#
# MODEL must be F32/F16/BF16 (GGUF or HF folder). TEXT: plain text not seen in training. Needs a built
# CLI (dotnet build src/Hearth.Cli -c Release) or set HEARTH=/path/to/hearth.
set -euo pipefail
model=${1:?model}; text=${2:?text file}; ctx=${3:-128}; work=${4:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/../.." && pwd)
hearth=${HEARTH:-$root/src/Hearth.Cli/bin/Release/net10.0/hearth}
types=(F16 Q8_0 Q6_K Q5_K_M Q5_1 Q5_0 Q4_K_M Q4_1 Q4_0 Q3_K_M Q2_K)
mkdir -p "$work"
for t in "${types[@]}"; do
  "$hearth" quantize --model "$model" --type "$t" --output "$work/$t.gguf" --json > "$work/$t.quant.json"
  "$hearth" perplexity --model "$work/$t.gguf" --file "$text" --context "$ctx" --json > "$work/$t.ppl.json"
done
python3 - "$work" "${types[@]}" <<'PY'
import json, os, sys
work, types = sys.argv[1], sys.argv[2:]
base = json.load(open(os.path.join(work, "F16.ppl.json")))["ppl"]
print("| type | size | bits/weight | PPL | vs F16 |")
print("| --- | --- | --- | --- | --- |")
for t in types:
    q = json.load(open(os.path.join(work, f"{t}.quant.json")))
    p = json.load(open(os.path.join(work, f"{t}.ppl.json")))
    size = os.path.getsize(os.path.join(work, f"{t}.gguf"))
    bpw = q.get("bits_per_weight") or q.get("bitsPerWeight")
    bpw = f"{bpw:.2f}" if isinstance(bpw, (int, float)) else "?"
    print(f"| {t} | {size / 2**20:.2f} MiB | {bpw} | {p['ppl']:.4f} +- {p['ppl_stderr']:.4f} | {100 * (p['ppl'] / base - 1):+.2f}% |")
PY
