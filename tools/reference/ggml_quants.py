"""Q8_0 / Q4_0 quantization exactly as ggml's reference (quantize_row_q8_0_ref / quantize_row_q4_0_ref),
and the matching dequantization, in numpy float32. Blocks of 32 along each row."""
from __future__ import annotations

import numpy as np

QK = 32


def _blocks(x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    assert x.shape[-1] % QK == 0, f"row length {x.shape[-1]} is not a multiple of {QK}"
    return x.reshape(-1, QK)


def _roundf(v: np.ndarray) -> np.ndarray:
    """C roundf: half away from zero (numpy rounds half to even)."""
    whole = np.trunc(v)
    frac = v - whole  # exact in float32, unlike abs(v) + 0.5 which can round up (0.49999997 -> 1.0)
    return whole + np.sign(v) * (np.abs(frac) >= np.float32(0.5))


def quantize_q8_0(x: np.ndarray) -> bytes:
    b = _blocks(x)
    amax = np.abs(b).max(axis=1)
    d = (amax / np.float32(127)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    q = _roundf((b * inv[:, None]).astype(np.float32)).astype(np.int8)
    out = np.zeros(len(b), dtype=[("d", "<f2"), ("qs", "i1", QK)])
    out["d"], out["qs"] = d.astype(np.float16), q
    return out.tobytes()


def dequantize_q8_0(data: bytes, shape) -> np.ndarray:
    blk = np.frombuffer(data, dtype=[("d", "<f2"), ("qs", "i1", QK)])
    return (blk["qs"].astype(np.float32) * blk["d"].astype(np.float32)[:, None]).reshape(shape)


def quantize_q4_0(x: np.ndarray) -> bytes:
    b = _blocks(x)
    idx = np.abs(b).argmax(axis=1)  # first element of largest magnitude, as ggml's strict '<' scan
    mx = b[np.arange(len(b)), idx]
    d = (mx / np.float32(-8)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    v = (b * inv[:, None]).astype(np.float32) + np.float32(8.5)
    xi = np.minimum(15, np.trunc(v).astype(np.int8)).astype(np.uint8)  # (int8_t) cast truncates
    qs = xi[:, :QK // 2] | (xi[:, QK // 2:] << 4)
    out = np.zeros(len(b), dtype=[("d", "<f2"), ("qs", "u1", QK // 2)])
    out["d"], out["qs"] = d.astype(np.float16), qs
    return out.tobytes()


def dequantize_q4_0(data: bytes, shape) -> np.ndarray:
    blk = np.frombuffer(data, dtype=[("d", "<f2"), ("qs", "u1", QK // 2)])
    lo = (blk["qs"] & 0x0F).astype(np.int32) - 8
    hi = (blk["qs"] >> 4).astype(np.int32) - 8
    q = np.concatenate([lo, hi], axis=1).astype(np.float32)
    return (q * blk["d"].astype(np.float32)[:, None]).reshape(shape)
