"""Independent float32 PyTorch reference of the Llama family (Llama 2, Llama 3/3.1, Mistral, Qwen2).

Written from the papers / Hugging Face conventions, gpt-fast style, for golden logits:
- weights use Hugging Face names (model.layers.N.self_attn.q_proj.weight, ...), linear weights are [out, in];
- RoPE pairs dimension i with i + head_dim/2 (HF rotate_half, GGML "NeoX" pairing);
- RMSNorm, attention softmax and everything else are computed in float32; f16/bf16 weights are upcast;
- GQA repeats each kv head over head_count / kv_head_count consecutive query heads;
- sliding window (Mistral): the query at position p attends keys j with p - window < j <= p.

Usage:
    cfg = LlamaConfig.from_hf(json.load(open("config.json")))
    model = LlamaRef(cfg, weights)           # weights: {hf_name: tensor}
    logits = model.forward(torch.tensor(ids))  # full prefill, logits [T, vocab]
    cache = model.new_cache(); model.forward(ids, 0, cache); model.forward([next], len(ids), cache)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import torch


@dataclass
class LlamaConfig:
    vocab_size: int
    dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    ffn_dim: int
    max_pos: int
    norm_eps: float
    rope_theta: float
    rope_scaling: Optional[dict] = None  # HF "rope_scaling" dict or None
    sliding_window: int = 0  # 0 = full causal attention
    qkv_bias: bool = False
    tie_embeddings: bool = False

    @staticmethod
    def from_hf(c: dict) -> "LlamaConfig":
        model_type = c.get("model_type", "llama")
        window = c.get("sliding_window") or 0
        if model_type == "qwen2" and not c.get("use_sliding_window", False):
            window = 0  # Qwen2 configs carry sliding_window but only use it when use_sliding_window is true
        if model_type == "llama":
            window = 0  # LlamaConfig has no sliding window
        heads = c["num_attention_heads"]
        return LlamaConfig(
            vocab_size=c["vocab_size"], dim=c["hidden_size"], n_layers=c["num_hidden_layers"],
            n_heads=heads, n_kv_heads=c.get("num_key_value_heads") or heads,
            head_dim=c.get("head_dim") or c["hidden_size"] // heads,
            ffn_dim=c["intermediate_size"], max_pos=c["max_position_embeddings"],
            norm_eps=c["rms_norm_eps"], rope_theta=c.get("rope_theta", 10000.0),
            rope_scaling=c.get("rope_scaling"), sliding_window=window,
            qkv_bias=(model_type == "qwen2") or bool(c.get("attention_bias", False)),
            tie_embeddings=bool(c.get("tie_word_embeddings", False)))


def rope_inv_freq(cfg: LlamaConfig) -> torch.Tensor:
    """inv_freq [head_dim/2] float32, as transformers' ROPE_INIT_FUNCTIONS compute it (default/linear/llama3)."""
    d = cfg.head_dim
    inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    s = cfg.rope_scaling
    if not s:
        return inv_freq
    kind = s.get("rope_type", s.get("type"))
    if kind in (None, "default"):
        return inv_freq
    if kind == "linear":
        return inv_freq / s["factor"]
    if kind == "llama3":
        factor, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
        old_ctx = s["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old_ctx / low, old_ctx / high
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old_ctx / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        return torch.where(medium, smoothed, scaled)
    raise ValueError(f"unsupported rope_scaling type {kind!r}")


def llama3_rope_freqs_divisors(cfg: LlamaConfig) -> torch.Tensor:
    """GGUF rope_freqs.weight [head_dim/2]: divisors such that scaled inv_freq = inv_freq / rope_freqs
    (as llama.cpp's convert_hf_to_gguf.py computes them for rope_type llama3)."""
    s = cfg.rope_scaling
    d = cfg.head_dim
    freqs = 1.0 / (cfg.rope_theta ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    factor, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
    old_ctx = s["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old_ctx / low, old_ctx / high
    out = []
    for f in freqs.tolist():
        wavelen = 2 * math.pi / f
        if wavelen < high_wavelen:
            out.append(1.0)
        elif wavelen > low_wavelen:
            out.append(float(factor))
        else:
            smooth = (old_ctx / wavelen - low) / (high - low)
            out.append(1.0 / ((1 - smooth) / factor + smooth))
    return torch.tensor(out, dtype=torch.float32)


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    x = x.float()
    return weight.float() * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class LlamaRef:
    def __init__(self, cfg: LlamaConfig, weights: dict):
        self.cfg = cfg
        self.w = {k: v.float() for k, v in weights.items()}  # upcast f16/bf16 for the math
        self.inv_freq = rope_inv_freq(cfg)

    def new_cache(self, max_len: Optional[int] = None) -> list:
        c = self.cfg
        n = max_len or c.max_pos
        return [(torch.zeros(n, c.n_kv_heads, c.head_dim), torch.zeros(n, c.n_kv_heads, c.head_dim))
                for _ in range(c.n_layers)]

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        y = x @ self.w[name + ".weight"].t()
        bias = self.w.get(name + ".bias")
        return y if bias is None else y + bias

    def forward(self, tokens, start_pos: int = 0, cache: Optional[list] = None) -> torch.Tensor:
        """tokens [T] at positions start_pos.. -> logits [T, vocab]. Without a cache start_pos must be 0."""
        c, w = self.cfg, self.w
        tokens = torch.as_tensor(tokens, dtype=torch.long)
        t = tokens.shape[0]
        if cache is None:
            assert start_pos == 0, "a forward without cache starts at position 0"
        end = start_pos + t
        pos = torch.arange(start_pos, end)
        freqs = pos.float()[:, None] * self.inv_freq[None, :]  # [T, hd/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]  # [T, 1, hd]
        key_pos = torch.arange(end)
        allowed = key_pos[None, :] <= pos[:, None]  # [T, end]
        if c.sliding_window:
            allowed &= key_pos[None, :] > pos[:, None] - c.sliding_window
        mask = torch.zeros(t, end).masked_fill(~allowed, float("-inf"))
        group = c.n_heads // c.n_kv_heads

        x = w["model.embed_tokens.weight"][tokens]  # [T, dim]
        for i in range(c.n_layers):
            p = f"model.layers.{i}."
            h = rms_norm(x, w[p + "input_layernorm.weight"], c.norm_eps)
            q = self._linear(h, p + "self_attn.q_proj").view(t, c.n_heads, c.head_dim)
            k = self._linear(h, p + "self_attn.k_proj").view(t, c.n_kv_heads, c.head_dim)
            v = self._linear(h, p + "self_attn.v_proj").view(t, c.n_kv_heads, c.head_dim)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache is not None:
                kc, vc = cache[i]
                kc[start_pos:end], vc[start_pos:end] = k, v
                k, v = kc[:end], vc[:end]
            k = k.repeat_interleave(group, dim=1)  # [end, heads, hd]
            v = v.repeat_interleave(group, dim=1)
            scores = torch.einsum("thd,shd->hts", q, k) / math.sqrt(c.head_dim) + mask
            probs = torch.softmax(scores.float(), dim=-1)
            attn = torch.einsum("hts,shd->thd", probs, v).reshape(t, c.n_heads * c.head_dim)
            x = x + self._linear(attn, p + "self_attn.o_proj")
            h = rms_norm(x, w[p + "post_attention_layernorm.weight"], c.norm_eps)
            gate = torch.nn.functional.silu(self._linear(h, p + "mlp.gate_proj"))
            x = x + self._linear(gate * self._linear(h, p + "mlp.up_proj"), p + "mlp.down_proj")
        x = rms_norm(x, w["model.norm.weight"], c.norm_eps)
        head = w["model.embed_tokens.weight"] if c.tie_embeddings else w["lm_head.weight"]
        return x @ head.t()
