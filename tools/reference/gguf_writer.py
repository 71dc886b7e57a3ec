"""Minimal GGUF v3 writer (little-endian), written from the GGUF spec.

Layout: magic "GGUF", u32 version, u64 tensor_count, u64 kv_count, kv pairs, tensor infos
(name, u32 n_dims, u64 ne[n_dims] innermost first, u32 ggml type, u64 offset into the data section),
padding to `alignment`, then the tensor data, each tensor starting at a multiple of `alignment`.
"""
from __future__ import annotations

import struct

import numpy as np

# GGUF metadata value types
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)

# GGML tensor types used here
GGML_F32, GGML_F16, GGML_Q4_0, GGML_Q8_0, GGML_BF16 = 0, 1, 2, 8, 30

_SCALAR = {UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i",
           FLOAT32: "<f", BOOL: "<?", UINT64: "<Q", INT64: "<q", FLOAT64: "<d"}


def _str(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(vtype: int, value) -> bytes:
    if vtype == STRING:
        return _str(value)
    return struct.pack(_SCALAR[vtype], value)


class GgufWriter:
    def __init__(self, alignment: int = 32):
        self.alignment = alignment
        self.kv: list[tuple[str, int, object, int | None]] = []  # (key, type, value, array element type)
        self.tensors: list[tuple[str, list[int], int, bytes]] = []  # (name, ne innermost-first, type, data)

    def add(self, key: str, vtype: int, value) -> None:
        self.kv.append((key, vtype, value, None))

    def add_array(self, key: str, elem_type: int, values) -> None:
        self.kv.append((key, ARRAY, list(values), elem_type))

    def add_tensor(self, name: str, shape_outer_first: tuple, ggml_type: int, data: bytes) -> None:
        """shape is PyTorch-style (outermost first); it is stored reversed (ne[0] = innermost)."""
        self.tensors.append((name, list(reversed(shape_outer_first)), ggml_type, data))

    def _pad(self, n: int) -> int:
        return (self.alignment - n % self.alignment) % self.alignment

    def to_bytes(self) -> bytes:
        out = bytearray(b"GGUF")
        out += struct.pack("<IQQ", 3, len(self.tensors), len(self.kv))
        for key, vtype, value, elem in self.kv:
            out += _str(key) + struct.pack("<I", vtype)
            if vtype == ARRAY:
                out += struct.pack("<IQ", elem, len(value))
                for v in value:
                    out += _value(elem, v)
            else:
                out += _value(vtype, value)
        offset = 0
        for name, ne, gtype, data in self.tensors:
            out += _str(name) + struct.pack("<I", len(ne))
            out += b"".join(struct.pack("<Q", d) for d in ne)
            out += struct.pack("<IQ", gtype, offset)
            offset += len(data) + self._pad(len(data))
        out += b"\0" * self._pad(len(out))
        for _, _, _, data in self.tensors:
            out += data + b"\0" * self._pad(len(data))
        return bytes(out)

    def write(self, path: str) -> None:
        with open(path, "wb") as f:
            f.write(self.to_bytes())


def read_gguf(path: str) -> tuple[dict, dict]:
    """Reads back (metadata {key: value}, tensors {name: (ne innermost-first, ggml type, raw bytes)}); for self-checks."""
    with open(path, "rb") as f:
        raw = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, raw, pos)
        pos += struct.calcsize(fmt)
        return v[0]

    def take_str():
        nonlocal pos
        n = take("<Q")
        s = raw[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def take_value(t):
        if t == STRING:
            return take_str()
        if t == ARRAY:
            et, n = take("<I"), take("<Q")
            return [take_value(et) for _ in range(n)]
        return take(_SCALAR[t])

    assert raw[:4] == b"GGUF"
    pos = 4
    version, n_tensors, n_kv = take("<I"), take("<Q"), take("<Q")
    assert version == 3
    meta = {}
    for _ in range(n_kv):
        key = take_str()
        meta[key] = take_value(take("<I"))
    align = meta.get("general.alignment", 32)
    infos = []
    for _ in range(n_tensors):
        name = take_str()
        ne = [take("<Q") for _ in range(take("<I"))]
        infos.append((name, ne, take("<I"), take("<Q")))
    data_start = pos + (align - pos % align) % align
    block = {GGML_F32: (1, 4), GGML_F16: (1, 2), GGML_BF16: (1, 2), GGML_Q8_0: (32, 34), GGML_Q4_0: (32, 18)}
    tensors = {}
    for name, ne, gtype, off in infos:
        bs, bb = block[gtype]
        n = int(np.prod(ne))
        start = data_start + off
        tensors[name] = (ne, gtype, raw[start:start + n // bs * bb])
    return meta, tensors
