"""Writes a TinyLlama-1.1B-shaped random-weight Llama model as GGUF in F16, Q8_0 and Q4_0, for speed
benchmarks (`hearth bench`, llama-bench): the shapes and byte counts of the real model, noise for weights.

    /usr/bin/python3 tools/bench/make_tinyllama_shaped.py [--out /tmp/hearth-bench] [--types f16,q8_0,q4_0]

dim 2048, 22 layers, 32 heads, 4 KV heads, ffn 5632, vocab 32000, context 2048, untied output. Tokenizer:
SentencePiece-style ("llama") metadata with <unk> <s> </s>, 256 byte tokens and 31741 made-up pieces, so
Hearth and llama.cpp can load it. Deterministic (one seed per tensor): running it twice gives identical
files. Tensors are generated one at a time and streamed into all files at once, so memory stays at a few
hundred MB although the F16 file is ~2.2 GB. Keep the output outside the repository.
"""
from __future__ import annotations

import argparse
import os
import struct
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
import ggml_quants  # noqa: E402
import gguf_writer as gw  # noqa: E402

DIM, LAYERS, HEADS, KV_HEADS, FFN, VOCAB, CONTEXT = 2048, 22, 32, 4, 5632, 32000, 2048
HEAD_DIM = DIM // HEADS
ALIGN = 32
SEED = 20240101
TYPES = {  # name -> (ggml type, general.file_type, block elements, block bytes)
    "f16": (gw.GGML_F16, 1, 1, 2),
    "q8_0": (gw.GGML_Q8_0, 7, 32, 34),
    "q4_0": (gw.GGML_Q4_0, 2, 32, 18),
}


def tensor_list() -> list:
    """(name, shape outermost first) in llama.cpp's order."""
    t = [("token_embd.weight", (VOCAB, DIM))]
    kv = KV_HEADS * HEAD_DIM
    for i in range(LAYERS):
        b = f"blk.{i}."
        t += [(b + "attn_norm.weight", (DIM,)), (b + "attn_q.weight", (DIM, DIM)), (b + "attn_k.weight", (kv, DIM)),
              (b + "attn_v.weight", (kv, DIM)), (b + "attn_output.weight", (DIM, DIM)), (b + "ffn_norm.weight", (DIM,)),
              (b + "ffn_gate.weight", (FFN, DIM)), (b + "ffn_up.weight", (FFN, DIM)), (b + "ffn_down.weight", (DIM, FFN))]
    t += [("output_norm.weight", (DIM,)), ("output.weight", (VOCAB, DIM))]
    return t


def storage(shape: tuple, kind: str) -> tuple:
    """(ggml type, byte length): 1-D norms stay F32 as in llama.cpp's files."""
    n = int(np.prod(shape))
    if len(shape) == 1:
        return gw.GGML_F32, 4 * n
    gtype, _, block, block_bytes = TYPES[kind]
    return gtype, n // block * block_bytes


def tokenizer() -> dict:
    """SentencePiece-BPE-shaped vocabulary: every multi-character piece is two earlier pieces joined, so
    score-ranked merges can build it."""
    chars = ["\u2581"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + [chr(c) for c in range(ord("A"), ord("Z") + 1)] \
        + [str(d) for d in range(10)] + list(".,;:!?'\"-()")
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    seen = set(tokens)
    pieces = []
    for c in chars:
        if c not in seen:
            seen.add(c)
            pieces.append(c)
    rng = np.random.default_rng(SEED)
    while len(tokens) + len(pieces) < VOCAB:
        a = pieces[int(rng.integers(len(pieces)))]
        b = pieces[int(rng.integers(min(len(pieces), 200)))]  # short right halves keep pieces word-like
        p = a + b
        if len(p) <= 10 and p not in seen:
            seen.add(p)
            pieces.append(p)
    tokens += pieces
    scores = [0.0] * 259 + [-float(i) for i in range(len(pieces))]
    types = [2, 3, 3] + [6] * 256 + [1] * len(pieces)
    return {"tokens": tokens, "scores": scores, "types": types}


def header(kind: str, tensors: list, tok: dict) -> bytes:
    _, file_type, _, _ = TYPES[kind]
    kv = [("general.architecture", gw.STRING, "llama"), ("general.name", gw.STRING, f"tinyllama-shaped-random-{kind}"),
          ("general.alignment", gw.UINT32, ALIGN), ("general.file_type", gw.UINT32, file_type)]
    if kind != "f16":
        kv.append(("general.quantization_version", gw.UINT32, 2))
    kv += [("llama.vocab_size", gw.UINT32, VOCAB), ("llama.context_length", gw.UINT32, CONTEXT),
           ("llama.embedding_length", gw.UINT32, DIM), ("llama.block_count", gw.UINT32, LAYERS),
           ("llama.feed_forward_length", gw.UINT32, FFN), ("llama.attention.head_count", gw.UINT32, HEADS),
           ("llama.attention.head_count_kv", gw.UINT32, KV_HEADS),
           ("llama.attention.layer_norm_rms_epsilon", gw.FLOAT32, 1e-5), ("llama.rope.freq_base", gw.FLOAT32, 10000.0),
           ("llama.rope.dimension_count", gw.UINT32, HEAD_DIM),
           ("tokenizer.ggml.model", gw.STRING, "llama"), ("tokenizer.ggml.pre", gw.STRING, "default")]
    arrays = [("tokenizer.ggml.tokens", gw.STRING, tok["tokens"]), ("tokenizer.ggml.scores", gw.FLOAT32, tok["scores"]),
              ("tokenizer.ggml.token_type", gw.INT32, tok["types"])]
    tail = [("tokenizer.ggml.bos_token_id", gw.UINT32, 1), ("tokenizer.ggml.eos_token_id", gw.UINT32, 2),
            ("tokenizer.ggml.unknown_token_id", gw.UINT32, 0), ("tokenizer.ggml.add_bos_token", gw.BOOL, True),
            ("tokenizer.ggml.add_eos_token", gw.BOOL, False), ("tokenizer.ggml.add_space_prefix", gw.BOOL, True)]
    out = bytearray(b"GGUF")
    out += struct.pack("<IQQ", 3, len(tensors), len(kv) + len(arrays) + len(tail))
    for key, vtype, value in kv:
        out += gw._str(key) + struct.pack("<I", vtype) + gw._value(vtype, value)
    for key, elem, values in arrays:
        out += gw._str(key) + struct.pack("<I", gw.ARRAY) + struct.pack("<IQ", elem, len(values))
        out += b"".join(gw._value(elem, v) for v in values)
    for key, vtype, value in tail:
        out += gw._str(key) + struct.pack("<I", vtype) + gw._value(vtype, value)
    offset = 0
    for name, shape in tensors:
        gtype, nbytes = storage(shape, kind)
        out += gw._str(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in reversed(shape))
        out += struct.pack("<IQ", gtype, offset)
        offset += nbytes + pad(nbytes)
    out += b"\0" * pad(len(out))
    return bytes(out)


def pad(n: int) -> int:
    return (ALIGN - n % ALIGN) % ALIGN


def values(index: int, name: str, shape: tuple) -> np.ndarray:
    """Norm weights near 1, matrices N(0, 0.02) as the HF initializer: finite activations, realistic spread."""
    rng = np.random.default_rng([SEED, index])
    if len(shape) == 1:
        return (1.0 + 0.1 * rng.standard_normal(shape, dtype=np.float32)).astype(np.float32)
    return (0.02 * rng.standard_normal(shape, dtype=np.float32)).astype(np.float32)


def payload(x: np.ndarray, kind: str) -> bytes:
    if x.ndim == 1:
        return x.astype("<f4").tobytes()
    if kind == "f16":
        return x.astype("<f2").tobytes()
    if kind == "q8_0":
        return ggml_quants.quantize_q8_0(x)
    return ggml_quants.quantize_q4_0(x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/hearth-bench", help="output folder (outside the repository)")
    ap.add_argument("--types", default="f16,q8_0,q4_0", help="comma-separated subset of f16, q8_0, q4_0")
    args = ap.parse_args()
    kinds = [k.strip() for k in args.types.split(",") if k.strip()]
    for k in kinds:
        if k not in TYPES:
            sys.exit(f"unknown type '{k}' (expected f16, q8_0 or q4_0)")
    os.makedirs(args.out, exist_ok=True)
    tensors = tensor_list()
    tok = tokenizer()
    paths = {k: os.path.join(args.out, f"tinyllama-shaped-{k}.gguf") for k in kinds}
    files = {k: open(paths[k] + ".partial", "wb") for k in kinds}
    try:
        for k in kinds:
            files[k].write(header(k, tensors, tok))
        start = time.time()
        for i, (name, shape) in enumerate(tensors):
            x = values(i, name, shape)
            for k in kinds:
                data = payload(x, k)
                gtype, nbytes = storage(shape, k)
                assert len(data) == nbytes, (name, k, len(data), nbytes)
                files[k].write(data + b"\0" * pad(len(data)))
            if i % 9 == 0 or i == len(tensors) - 1:
                print(f"[{time.time() - start:6.1f}s] {i + 1}/{len(tensors)} {name}", flush=True)
    finally:
        for f in files.values():
            f.close()
    for k in kinds:
        os.replace(paths[k] + ".partial", paths[k])
        print(f"{paths[k]}: {os.path.getsize(paths[k]) / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
