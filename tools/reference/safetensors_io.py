"""Minimal safetensors writer/reader: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}
(plus "__metadata__"), padded with spaces to a multiple of 8 bytes, then the raw little-endian tensor bytes."""
from __future__ import annotations

import json
import struct

import numpy as np
import torch

DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
_NAME_TO_DTYPE = {v: k for k, v in DTYPE_NAMES.items()}


def tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save(tensors: dict, path: str) -> None:
    header = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def load(path: str) -> dict:
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = bytearray(raw[8 + n + a:8 + n + b])
        dtype = _NAME_TO_DTYPE[info["dtype"]]
        out[name] = torch.frombuffer(buf, dtype=dtype).reshape(info["shape"]) if buf else torch.zeros(info["shape"], dtype=dtype)
    return out
