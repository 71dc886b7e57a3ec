#!/usr/bin/python3
"""Golden data for Hearth's Q8_0 / Q4_0 quantizers (Hearth.Quantization.Quants.Quantize), produced by the
independent numpy reference tools/reference/ggml_quants.py (ggml's quantize_row_q8_0_ref / _q4_0_ref).

Regenerate (deterministic, well under a second):
    /usr/bin/python3 tools/reference/quants/make_quantize_goldens.py
which rewrites tests/data/quants/quantize_goldens_v1.bin. Bump VERSION (and the file name) when the
layout changes; the C# reader checks magic and version.

File layout, little-endian:
    header: 8 bytes magic b"HRTHQNTZ", u32 version, u32 seed, u32 case count
    case:   i32 ggml type id, i32 element count n, f32[n] input, i32 byte count b, b expected bytes
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ggml_quants  # noqa: E402

VERSION = 1
SEED = 20250101
MAGIC = b"HRTHQNTZ"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                   "tests", "data", "quants", "quantize_goldens_v1.bin")


def inputs(rng: np.random.Generator) -> list:
    f = np.float32
    rows = []
    rows.append(rng.normal(0, 0.02, 32 * 64).astype(f))                 # weight-like
    rows.append(rng.standard_t(3, 32 * 64).astype(f) * f(0.05))          # heavy tails
    outliers = rng.normal(0, 0.02, 32 * 16).astype(f)
    outliers[rng.choice(len(outliers), 8, replace=False)] = f(1.5)       # a few big outliers
    outliers[5] = f(-3.0)
    rows.append(outliers)
    rows.append(np.zeros(64, dtype=f))                                    # all zeros
    rows.append(np.full(64, 0.37, dtype=f))                               # constant blocks
    rows.append(np.full(32, -1.25, dtype=f))
    ties = (np.arange(32, dtype=f) - 16) * f(0.5)                         # exact halves after scaling
    rows.append(ties)
    mixed = rng.uniform(-1, 1, 32 * 8).astype(f)
    mixed[:32] = 0
    mixed[40] = f(-1e-8)                                                  # tiny block max
    rows.append(mixed)
    same_mag = rng.normal(0, 1, 32).astype(f)
    same_mag[3], same_mag[9] = f(2.0), f(-2.0)                            # +max before -max: first wins
    rows.append(same_mag)
    rows.append(rng.normal(0, 1e-6, 64).astype(f))                       # subnormal-range f16 scales
    rows.append(rng.normal(0, 3000, 64).astype(f))                       # large values
    return rows


def main() -> None:
    rng = np.random.default_rng(SEED)
    cases = []
    for x in inputs(rng):
        cases.append((8, x, ggml_quants.quantize_q8_0(x)))
        cases.append((2, x, ggml_quants.quantize_q4_0(x)))
    out = bytearray(MAGIC + struct.pack("<III", VERSION, SEED, len(cases)))
    for type_id, x, data in cases:
        out += struct.pack("<ii", type_id, len(x)) + x.astype("<f4").tobytes() + struct.pack("<i", len(data)) + data
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as fh:
        fh.write(bytes(out))
    print(f"wrote {len(cases)} cases, {len(out)} bytes to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
