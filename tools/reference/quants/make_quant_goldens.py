#!/usr/bin/python3
"""Golden data for Hearth's scalar dequantization (Hearth.Core.Quants.Dequant / RowDot).

An independent numpy implementation of the GGML/GGUF block formats (written from the format
description of ggml-quants, vectorised over blocks and following ggml's loop structure rather
than the per-element C# code), run over seeded random blocks plus edge cases.

Regenerate (deterministic, takes a second or two):
    /usr/bin/python3 tools/reference/quants/make_quant_goldens.py
which rewrites tests/data/quants/quant_goldens_v1.bin. Bump VERSION (and the file name) when the
layout of the file changes; the C# reader checks magic and version.

File layout, all little-endian:
    header:  8 bytes magic b"HRTHQGLD", u32 version, u32 n + n bytes UTF-8 script path, u32 seed,
             u32 section count
    section: u32 tag
      tag 1 (row):  i32 ggml type id, i32 element count n, i32 byte count b, b raw bytes,
                    f32[n] expected dequantized values,
                    i32 dot count, per dot: i32 first element, i32 length m, f32[m] x,
                    f64 expected dot (float64 sum of w * x), f64 sum of |w * x|
      tag 2 (conversions): i32 count c, f32[c] inputs, u16[c] f16 bits (round to nearest even),
                    u16[c] bf16 bits (round to nearest even; NaN inputs: any NaN of the same sign)
"""
import os
import struct

import numpy as np

VERSION = 1
SEED = 20240611
MAGIC = b"HRTHQGLD"
SCRIPT = "tools/reference/quants/make_quant_goldens.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                   "tests", "data", "quants", "quant_goldens_v1.bin")

QK_K = 256
F32 = np.float32

# ggml type id -> (name, elements per block, bytes per block, offsets of f16 scale fields,
#                  offsets of f32 scale fields)
TYPES = {
    2: ("Q4_0", 32, 18, [0], []),
    3: ("Q4_1", 32, 20, [0, 2], []),
    6: ("Q5_0", 32, 22, [0], []),
    7: ("Q5_1", 32, 24, [0, 2], []),
    8: ("Q8_0", 32, 34, [0], []),
    9: ("Q8_1", 32, 36, [0], []),        # s (offset 2) is derived, see fix_derived
    10: ("Q2_K", 256, 84, [80, 82], []),
    11: ("Q3_K", 256, 110, [108], []),
    12: ("Q4_K", 256, 144, [0, 2], []),
    13: ("Q5_K", 256, 176, [0, 2], []),
    14: ("Q6_K", 256, 210, [208], []),
    15: ("Q8_K", 256, 292, [], [0]),     # bsums (offset 260) are derived
}


def f16(raw):
    """(nb, 2) uint8 -> (nb,) float32, exact."""
    return np.ascontiguousarray(raw).view("<f2").reshape(-1).astype(F32)


def u8(a):
    return a.astype(np.int32)


# ---------------------------------------------------------------- legacy blocks (32 elements)

def deq_q4_0(raw):
    d = f16(raw[:, 0:2])[:, None]
    qs = u8(raw[:, 2:18])
    q = np.concatenate([qs & 0xF, qs >> 4], axis=1) - 8
    return q.astype(F32) * d


def deq_q4_1(raw):
    d = f16(raw[:, 0:2])[:, None]
    m = f16(raw[:, 2:4])[:, None]
    qs = u8(raw[:, 4:20])
    q = np.concatenate([qs & 0xF, qs >> 4], axis=1)
    return q.astype(F32) * d + m


def fifth_bits(raw4):
    """(nb, 4) uint8 -> (nb, 32) bits of the little-endian uint32."""
    qh = np.ascontiguousarray(raw4).view("<u4").astype(np.int64)  # (nb, 1)
    return ((qh >> np.arange(32)) & 1).astype(np.int32)


def deq_q5_0(raw):
    d = f16(raw[:, 0:2])[:, None]
    bits = fifth_bits(raw[:, 2:6])
    qs = u8(raw[:, 6:22])
    q = np.concatenate([(qs & 0xF) | (bits[:, :16] << 4), (qs >> 4) | (bits[:, 16:] << 4)], axis=1) - 16
    return q.astype(F32) * d


def deq_q5_1(raw):
    d = f16(raw[:, 0:2])[:, None]
    m = f16(raw[:, 2:4])[:, None]
    bits = fifth_bits(raw[:, 4:8])
    qs = u8(raw[:, 8:24])
    q = np.concatenate([(qs & 0xF) | (bits[:, :16] << 4), (qs >> 4) | (bits[:, 16:] << 4)], axis=1)
    return q.astype(F32) * d + m


def deq_q8_0(raw):
    d = f16(raw[:, 0:2])[:, None]
    return raw[:, 2:34].view(np.int8).astype(F32) * d


def deq_q8_1(raw):
    d = f16(raw[:, 0:2])[:, None]
    return raw[:, 4:36].view(np.int8).astype(F32) * d


# ---------------------------------------------------------------- K-quants (256 elements)

def deq_q2_k(raw):
    scales = u8(raw[:, 0:16])
    qs = u8(raw[:, 16:80])
    d = f16(raw[:, 80:82])[:, None]
    dmin = f16(raw[:, 82:84])[:, None]
    out = []
    sidx = 0
    for n in range(2):                      # two halves of 128
        q = qs[:, 32 * n:32 * n + 32]
        for shift in (0, 2, 4, 6):          # four 2-bit planes of 32 elements
            for part in range(2):           # two sub-blocks of 16 per plane
                sc = scales[:, sidx:sidx + 1]
                sidx += 1
                dl = d * (sc & 0xF).astype(F32)
                ml = dmin * (sc >> 4).astype(F32)
                qq = (q[:, 16 * part:16 * part + 16] >> shift) & 3
                out.append(dl * qq.astype(F32) - ml)
    return np.concatenate(out, axis=1)


def q3_k_scales(raw12):
    """12 packed bytes -> (nb, 16) signed scales, unpacked with 32-bit masks the way ggml does."""
    aux = np.ascontiguousarray(raw12).view("<u4").astype(np.uint32).copy()  # (nb, 3)
    kmask1 = np.uint32(0x03030303)
    kmask2 = np.uint32(0x0F0F0F0F)
    a0, a1, tmp = aux[:, 0], aux[:, 1], aux[:, 2]
    r = np.empty((aux.shape[0], 4), dtype=np.uint32)
    r[:, 2] = ((a0 >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4)
    r[:, 3] = ((a1 >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4)
    r[:, 0] = (a0 & kmask2) | (((tmp >> 0) & kmask1) << 4)
    r[:, 1] = (a1 & kmask2) | (((tmp >> 2) & kmask1) << 4)
    return r.view(np.int8).astype(np.int32).reshape(-1, 16) - 32   # values 0..63 -> -32..31


def deq_q3_k(raw):
    hmask = u8(raw[:, 0:32])
    qs = u8(raw[:, 32:96])
    scales = q3_k_scales(raw[:, 96:108])
    d = f16(raw[:, 108:110])[:, None]
    out = []
    sidx = 0
    m = 1
    for n in range(2):
        q = qs[:, 32 * n:32 * n + 32]
        for shift in (0, 2, 4, 6):
            for part in range(2):
                dl = d * scales[:, sidx:sidx + 1].astype(F32)
                sidx += 1
                sl = slice(16 * part, 16 * part + 16)
                low = (q[:, sl] >> shift) & 3
                sub = np.where((hmask[:, sl] & m) != 0, 0, 4)
                out.append(dl * (low - sub).astype(F32))
            m <<= 1
    return np.concatenate(out, axis=1)


def k4_scales_mins(raw12):
    """Q4_K/Q5_K 12 packed bytes -> (scales (nb, 8), mins (nb, 8)), via ggml's utmp mask trick."""
    u = np.ascontiguousarray(raw12).view("<u4").astype(np.uint32).copy()  # (nb, 3)
    kmask1 = np.uint32(0x3F3F3F3F)
    kmask2 = np.uint32(0x0F0F0F0F)
    kmask3 = np.uint32(0x03030303)
    r = np.empty((u.shape[0], 4), dtype=np.uint32)
    r[:, 3] = ((u[:, 2] >> 4) & kmask2) | (((u[:, 1] >> 6) & kmask3) << 4)
    r[:, 2] = u[:, 1] & kmask1
    r[:, 1] = (u[:, 2] & kmask2) | (((u[:, 0] >> 6) & kmask3) << 4)
    r[:, 0] = u[:, 0] & kmask1
    b = r.view(np.uint8).reshape(-1, 16).astype(np.int32)
    return b[:, 0:8], b[:, 8:16]


def deq_q4_k(raw):
    d = f16(raw[:, 0:2])[:, None]
    dmin = f16(raw[:, 2:4])[:, None]
    sc, mn = k4_scales_mins(raw[:, 4:16])
    qs = u8(raw[:, 16:144])
    out = []
    for g in range(4):                       # 64 elements per 32 bytes
        q = qs[:, 32 * g:32 * g + 32]
        d1 = d * sc[:, 2 * g:2 * g + 1].astype(F32)
        m1 = dmin * mn[:, 2 * g:2 * g + 1].astype(F32)
        d2 = d * sc[:, 2 * g + 1:2 * g + 2].astype(F32)
        m2 = dmin * mn[:, 2 * g + 1:2 * g + 2].astype(F32)
        out.append(d1 * (q & 0xF).astype(F32) - m1)
        out.append(d2 * (q >> 4).astype(F32) - m2)
    return np.concatenate(out, axis=1)


def deq_q5_k(raw):
    d = f16(raw[:, 0:2])[:, None]
    dmin = f16(raw[:, 2:4])[:, None]
    sc, mn = k4_scales_mins(raw[:, 4:16])
    qh = u8(raw[:, 16:48])
    qs = u8(raw[:, 48:176])
    out = []
    u1, u2 = 1, 2
    for g in range(4):
        ql = qs[:, 32 * g:32 * g + 32]
        d1 = d * sc[:, 2 * g:2 * g + 1].astype(F32)
        m1 = dmin * mn[:, 2 * g:2 * g + 1].astype(F32)
        d2 = d * sc[:, 2 * g + 1:2 * g + 2].astype(F32)
        m2 = dmin * mn[:, 2 * g + 1:2 * g + 2].astype(F32)
        out.append(d1 * ((ql & 0xF) + np.where(qh & u1, 16, 0)).astype(F32) - m1)
        out.append(d2 * ((ql >> 4) + np.where(qh & u2, 16, 0)).astype(F32) - m2)
        u1 <<= 2
        u2 <<= 2
    return np.concatenate(out, axis=1)


def deq_q6_k(raw):
    ql_all = u8(raw[:, 0:128])
    qh_all = u8(raw[:, 128:192])
    sc_all = raw[:, 192:208].view(np.int8).astype(np.int32)
    d = f16(raw[:, 208:210])[:, None]
    y = np.empty((raw.shape[0], QK_K), dtype=F32)
    for n in range(2):
        ql = ql_all[:, 64 * n:64 * n + 64]
        qh = qh_all[:, 32 * n:32 * n + 32]
        sc = sc_all[:, 8 * n:8 * n + 8]
        q1 = ((ql[:, 0:32] & 0xF) | (((qh >> 0) & 3) << 4)) - 32
        q2 = ((ql[:, 32:64] & 0xF) | (((qh >> 2) & 3) << 4)) - 32
        q3 = ((ql[:, 0:32] >> 4) | (((qh >> 4) & 3) << 4)) - 32
        q4 = ((ql[:, 32:64] >> 4) | (((qh >> 6) & 3) << 4)) - 32
        isx = np.arange(32) // 16             # sub-block within each group of 32
        base = 128 * n
        for k, q in enumerate((q1, q2, q3, q4)):
            s = sc[:, isx + 2 * k].astype(F32)
            y[:, base + 32 * k:base + 32 * k + 32] = (d * s) * q.astype(F32)
    return y


def deq_q8_k(raw):
    d = np.ascontiguousarray(raw[:, 0:4]).view("<f4").reshape(-1, 1).astype(F32)
    return d * raw[:, 4:260].view(np.int8).astype(F32)


DEQUANT = {2: deq_q4_0, 3: deq_q4_1, 6: deq_q5_0, 7: deq_q5_1, 8: deq_q8_0, 9: deq_q8_1,
           10: deq_q2_k, 11: deq_q3_k, 12: deq_q4_k, 13: deq_q5_k, 14: deq_q6_k, 15: deq_q8_k}


# ---------------------------------------------------------------- block generation

F16_EDGE = {
    "zero": 0x0000, "negzero": 0x8000, "one": 0x3C00, "max": 0x7BFF, "negmax": 0xFBFF,
    "minsub": 0x0001, "maxsub": 0x03FF, "negsub": 0x8200, "minnormal": 0x0400,
}


def f16_bits_random(rng, n, negative_share=0.3):
    vals = rng.uniform(1e-3, 0.05, size=n) * np.where(rng.random(n) < negative_share, -1.0, 1.0)
    return vals.astype(np.float16).view(np.uint16)


# Edge blocks: (f16 field bits, or None for random; quant byte fill: None random, int, or "ramp").
# "ramp" walks bytes 0..255 so every nibble and bit pattern occurs; 0x55/0xAA/0x0F/0xF0 alternate bits.
EDGE_PLAN = [
    ("zero", 0x00), ("zero", None), ("one", 0x00), ("one", 0xFF), ("one", "ramp"),
    ("one", 0x55), ("one", 0xAA), ("one", 0x0F), ("one", 0xF0),
    ("max", None), ("negmax", None), ("minsub", None), ("maxsub", None), ("negsub", "ramp"),
    ("negzero", None), ("minnormal", 0xFF),
]


def make_blocks(rng, type_id, block_count):
    name, _, nbytes, f16_offs, f32_offs = TYPES[type_id]
    raw = rng.integers(0, 256, size=(block_count, nbytes), dtype=np.uint8)
    ramp = (np.arange(nbytes) * 37 + 11) % 256     # a permutation-ish walk over all byte values
    for i, (scale, fill) in enumerate(EDGE_PLAN):
        if fill == "ramp":
            raw[i, :] = ramp.astype(np.uint8)
        elif fill is not None:
            raw[i, :] = fill
        for k, off in enumerate(f16_offs):
            # the first field gets the edge value; a second one (m / dmin) gets it on odd blocks
            # and a random value on even ones so both combinations occur
            bits = F16_EDGE[scale] if (k == 0 or i % 2 == 1) else int(f16_bits_random(rng, 1)[0])
            raw[i, off:off + 2] = np.frombuffer(struct.pack("<H", bits), dtype=np.uint8)
        for off in f32_offs:
            val = {"zero": 0.0, "negzero": -0.0, "one": 1.0, "max": 1.0e30, "negmax": -1.0e30,
                   "minsub": 1.0e-45, "maxsub": 1.1e-38, "negsub": -5.0e-40, "minnormal": 1.1754944e-38}[scale]
            raw[i, off:off + 4] = np.frombuffer(struct.pack("<f", val), dtype=np.uint8)
    for i in range(len(EDGE_PLAN), block_count):
        for off in f16_offs:
            raw[i, off:off + 2] = f16_bits_random(rng, 1).view(np.uint8)
        for off in f32_offs:
            val = rng.uniform(1e-3, 0.05) * (1 if rng.random() < 0.7 else -1)
            raw[i, off:off + 4] = np.frombuffer(struct.pack("<f", val), dtype=np.uint8)
    fix_derived(type_id, raw)
    return raw


def fix_derived(type_id, raw):
    """Fields that a real quantizer derives from the others (unused by dequantization)."""
    if type_id == 9:    # Q8_1 s = d * sum(qs)
        d = f16(raw[:, 0:2]).astype(np.float64)
        s = d * raw[:, 4:36].view(np.int8).astype(np.float64).sum(axis=1)
        s = np.clip(s, -65504, 65504).astype(np.float16)
        raw[:, 2:4] = s.view(np.uint8).reshape(-1, 2)
    if type_id == 15:   # Q8_K bsums = sums of qs per 16
        sums = raw[:, 4:260].view(np.int8).astype(np.int16).reshape(-1, 16, 16).sum(axis=2).astype("<i2")
        raw[:, 260:292] = sums.view(np.uint8).reshape(-1, 32)


# ---------------------------------------------------------------- float formats

def f16_row(rng):
    edge = np.array([0x0000, 0x8000, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF, 0x0001, 0x8001, 0x03FF, 0x0400,
                     0x7C00, 0xFC00, 0x7E00, 0xFE00, 0x7C01, 0x3555], dtype=np.uint16)
    rand_bits = rng.integers(0, 65536, size=240, dtype=np.uint16)          # every kind, NaNs included
    finite = rng.normal(0, 2, size=1024).astype(np.float16).view(np.uint16)  # the dot region
    return np.concatenate([edge, rand_bits, finite]), 256


def bf16_row(rng):
    edge = np.array([0x0000, 0x8000, 0x3F80, 0xBF80, 0x7F7F, 0xFF7F, 0x0001, 0x8001, 0x007F, 0x0080,
                     0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x7F81, 0x4049], dtype=np.uint16)
    rand_bits = rng.integers(0, 65536, size=240, dtype=np.uint16)
    finite = bf16_rne(rng.normal(0, 2, size=1024).astype(F32))
    return np.concatenate([edge, rand_bits, finite]), 256


def bf16_rne(x):
    """float32 -> bf16 bits by choosing the nearer of the two neighbouring bf16 values in float64
    (ties to the even pattern); an independent formulation of round-to-nearest-even."""
    x = np.asarray(x, dtype=F32)
    bits = x.view(np.uint32)
    out = np.empty(x.shape, dtype=np.uint16)
    for i, (v, b) in enumerate(zip(x.reshape(-1), bits.reshape(-1))):
        if np.isnan(v):
            out.flat[i] = (int(b) >> 16) | 0x40
            continue
        sign = int(b) & 0x80000000
        mag = int(b) & 0x7FFFFFFF
        lo = mag & 0xFFFF0000
        if lo == mag:
            out.flat[i] = (sign | lo) >> 16
            continue
        hi = lo + 0x10000
        lo_val = float(np.array([lo], dtype=np.uint32).view(F32)[0])
        # past the largest finite bf16 the next "value" for rounding purposes is 2^128
        hi_val = 2.0 ** 128 if hi >= 0x7F800000 else float(np.array([hi], dtype=np.uint32).view(F32)[0])
        a = abs(float(v))
        dlo, dhi = a - lo_val, hi_val - a
        pick = lo if dlo < dhi else hi if dhi < dlo else (lo if (lo >> 16) % 2 == 0 else hi)
        out.flat[i] = (sign | pick) >> 16
    return out


def conversions(rng):
    specials = [0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan"), -float("nan"),
                65504.0, 65519.99, 65520.0, -65520.0, 1e6, 5.960464477539063e-08, 2.98023223876953125e-08,
                2.98023223876953126e-08, 1e-9, 6.103515625e-05, 3.4028234663852886e38, -3.4028234663852886e38,
                1.0e-45, 1.17549435e-38, 3.14159265]
    vals = list(np.array(specials, dtype=F32))
    # exact ties and near-ties for both formats
    for base in (1.0, -1.0, 3.0, 1024.0, 1.5e-5):
        b = np.array([base], dtype=F32).view(np.uint32)[0]
        for delta in (0x1000, 0x1001, 0x0FFF, 0x3000, 0x8000, 0x8001, 0x7FFF, 0x18000, 0x10000):
            vals.append(np.array([b + delta], dtype=np.uint32).view(F32)[0])
    vals.append(np.array([0x7F7F8000], dtype=np.uint32).view(F32)[0])   # bf16 tie at the top -> inf (odd lsb)
    vals.append(np.array([0x7F7E8000], dtype=np.uint32).view(F32)[0])   # bf16 tie, even lsb -> stays
    vals.append(np.array([0x7F800001], dtype=np.uint32).view(F32)[0])   # NaN with payload only in low bits
    vals.extend(rng.normal(0, 100, size=200).astype(F32))
    vals.extend((rng.normal(0, 1, size=100) * 10.0 ** rng.uniform(-9, 6, size=100)).astype(F32))
    x = np.array(vals, dtype=F32)
    with np.errstate(over="ignore"):
        h = x.astype(np.float16).view(np.uint16)
    return x, h, bf16_rne(x)


# ---------------------------------------------------------------- writing

def dot_record(x, w, first, length):
    xs = x[first:first + length].astype(np.float64)
    ws = w[first:first + length].astype(np.float64)
    prod = ws * xs
    return struct.pack("<ii", first, length) + x[first:first + length].astype("<f4").tobytes() + \
        struct.pack("<dd", float(prod.sum()), float(np.abs(prod).sum()))


def row_section(type_id, raw_bytes, expected, dots):
    n = expected.size
    out = struct.pack("<I", 1) + struct.pack("<iii", type_id, n, len(raw_bytes)) + raw_bytes
    out += expected.astype("<f4").tobytes()
    out += struct.pack("<i", len(dots)) + b"".join(dots)
    return out


def main():
    rng = np.random.default_rng(SEED)
    sections = []

    # F32: trivial, but the row path must read little-endian floats exactly
    f32_vals = np.concatenate([np.array([0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, 1e-45, 3.4e38], dtype=F32),
                               rng.normal(0, 1, size=248).astype(F32)])
    x = rng.normal(0, 1, size=f32_vals.size).astype(F32)
    sections.append(row_section(0, f32_vals.astype("<f4").tobytes(), f32_vals,
                                [dot_record(x, f32_vals, 8, 248)]))

    for type_id, maker, conv in ((1, f16_row, lambda b: b.view("<f2").astype(F32)),
                                 (30, bf16_row, lambda b: (b.astype(np.uint32) << 16).view(F32))):
        bits, finite_from = maker(rng)
        bits = bits.astype("<u2")
        vals = conv(bits)
        x = rng.normal(0, 1, size=vals.size).astype(F32)
        dots = [dot_record(x, vals, finite_from, vals.size - finite_from),
                dot_record(x, vals, finite_from + 5, 17)]
        sections.append(row_section(type_id, bits.tobytes(), vals, dots))

    for type_id, (name, block_elems, nbytes, _, _) in TYPES.items():
        block_count = 64
        raw = make_blocks(rng, type_id, block_count)
        vals = DEQUANT[type_id](raw).reshape(-1).astype(F32)
        assert vals.size == block_count * block_elems and np.all(np.isfinite(vals)), name
        n = vals.size
        x = rng.normal(0, 1, size=n).astype(F32)
        edge_elems = len(EDGE_PLAN) * block_elems
        dots = [dot_record(x, vals, 0, n),                               # everything, edges included
                dot_record(x, vals, edge_elems, n - edge_elems),         # ordinary blocks only
                dot_record(x, vals, edge_elems + block_elems, block_elems)]  # one block
        sections.append(row_section(type_id, raw.tobytes(), vals, dots))

    xs, h, bf = conversions(rng)
    sections.append(struct.pack("<Ii", 2, xs.size) + xs.astype("<f4").tobytes() +
                    h.astype("<u2").tobytes() + bf.astype("<u2").tobytes())

    script = SCRIPT.encode("utf-8")
    data = MAGIC + struct.pack("<II", VERSION, len(script)) + script + struct.pack("<II", SEED, len(sections))
    data += b"".join(sections)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(data)
    print(f"wrote {os.path.normpath(OUT)}: {len(data)} bytes, {len(sections)} sections")


if __name__ == "__main__":
    main()
