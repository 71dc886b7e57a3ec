"""Quantizes tests/data/ggml-quantize/model-f16.gguf with llama.cpp's llama-quantize into every preset
Hearth offers and records, per preset and tensor, the storage type and the SHA-256 of the tensor bytes
llama.cpp wrote. tests/Hearth.Quantization.Tests/GgmlQuantizeGoldenTests.cs asserts that `hearth quantize`
writes the same types and the same bytes.

    # build llama.cpp out of tree (never commit its code): see README.md next to this file
    /usr/bin/python3 tools/reference/ggml-quantize/make_goldens.py --llama-quantize /tmp/llama.cpp/build/bin/llama-quantize \
        --gguf-py /tmp/llama.cpp/gguf-py --llama-cpp-commit $(git -C /tmp/llama.cpp rev-parse HEAD)

The input models were written by tools/bench/make_tinyllama_shaped.py with its shape constants set to
(model-f16.gguf) dim 256, 2 layers, 8 heads / 2 KV heads (4 query heads per KV head, which changes the Q2_K
mix), ffn 256, vocab 288, context 64, and (model-dim192-f16.gguf) dim 192, 6 heads / 3 KV heads, ffn 512,
same otherwise (random F16 weights; under 2 MB each).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import types

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DATA = os.path.join(REPO, "tests", "data", "ggml-quantize")
# dim 256: every row fits the K-quant super-block; dim 192: most rows do not, so llama.cpp's fallbacks apply.
MODELS = ["model-f16.gguf", "model-dim192-f16.gguf"]
PRESETS = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-quantize", required=True)
    ap.add_argument("--gguf-py", required=True, help="llama.cpp's gguf-py folder (reader only)")
    ap.add_argument("--llama-cpp-commit", required=True, help="commit llama-quantize was built from, recorded in the goldens")
    args = ap.parse_args()
    # gguf-py imports sentencepiece for its vocab helpers, which reading does not need.
    sys.modules.setdefault("sentencepiece", types.SimpleNamespace(SentencePieceProcessor=object))
    sys.path.insert(0, args.gguf_py)
    from gguf import GGUFReader  # noqa: E402

    goldens = {"format": "hearth-ggml-quantize", "version": 2, "llama_cpp_commit": args.llama_cpp_commit, "models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for model in MODELS:
            presets = goldens["models"][model] = {}
            for preset in PRESETS:
                out = os.path.join(tmp, f"{preset}.gguf")
                subprocess.run([args.llama_quantize, os.path.join(DATA, model), out, preset, "1"], check=True, capture_output=True)
                tensors = {}
                for t in GGUFReader(out).tensors:
                    raw = t.data.view("uint8").tobytes()
                    tensors[t.name] = {"type": t.tensor_type.name, "bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
                presets[preset] = tensors
    with open(os.path.join(DATA, "goldens.json"), "w") as f:
        json.dump(goldens, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(MODELS)} models x {len(PRESETS)} presets to {os.path.join(DATA, 'goldens.json')}")


if __name__ == "__main__":
    main()
