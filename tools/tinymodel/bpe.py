"""hearth-tiny's byte-level BPE tokenizer (GPT-2 regex), built on tools/reference/tiny_tokenizers.py.

Digits are never merged (pieces holding a digit are left out of BPE training), so every number is one token
per digit: the arithmetic tasks see a regular, position-by-position layout.
"""
from __future__ import annotations

import os
import re
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
from tiny_tokenizers import _GPT2_ASCII, ByteLevelTokenizer, bpe_word, bytes_to_unicode  # noqa: E402

SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>"]
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")


def train_merges(words: Counter, n_merges: int) -> list:
    """BPE with incremental pair counts (the tiny_tokenizers trainer recounts everything per merge, too slow
    here). Same rule: merge the most frequent pair, ties broken by the lexicographically smallest pair."""
    seqs = [list(w) for w in words]
    counts = [words[w] for w in words]
    pairs: Counter = Counter()
    where = defaultdict(set)
    for i, s in enumerate(seqs):
        for p in zip(s, s[1:]):
            pairs[p] += counts[i]
            where[p].add(i)
    merges = []
    for _ in range(n_merges):
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        if pairs[best] <= 0:
            break
        merges.append(best)
        for i in sorted(where.pop(best, ())):
            s, c = seqs[i], counts[i]
            for p in zip(s, s[1:]):
                pairs[p] -= c
                if pairs[p] <= 0:
                    del pairs[p]
            j, out = 0, []
            while j < len(s):
                if j + 1 < len(s) and (s[j], s[j + 1]) == best:
                    out.append(s[j] + s[j + 1])
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            seqs[i] = out
            for p in zip(out, out[1:]):
                pairs[p] += c
                where[p].add(i)
    return merges


class TinyTokenizer(ByteLevelTokenizer):
    """ByteLevelTokenizer with merges learned from our corpus and four specials; reuses its HF/GGUF writers."""

    MAX_LENGTH = 256

    def __init__(self, texts: list, vocab_size: int):  # noqa: super().__init__ trains on its fixed corpus
        b2u = bytes_to_unicode()
        self.b2u = b2u
        words = Counter()
        for text in texts:
            for piece in _GPT2_ASCII.findall(text):
                if not any(ch.isdigit() for ch in piece):
                    words["".join(b2u[b] for b in piece.encode("utf-8"))] += 1
        self.merges = train_merges(words, vocab_size - 256 - len(SPECIALS))
        self.tokens = list(b2u.values()) + [a + b for a, b in self.merges]
        self.n_base = len(self.tokens)
        self.specials = list(SPECIALS)
        self.tokens += self.specials
        assert len(set(self.tokens)) == len(self.tokens) == vocab_size
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.bos, self.eos = self.ids["<|begin_of_text|>"], self.ids["<|end_of_text|>"]
        self.im_start, self.im_end = self.ids["<|im_start|>"], self.ids["<|im_end|>"]
        self.eot = self.im_end
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self._cache: dict = {}

    def encode_text(self, text: str) -> list:
        """Plain text (no special tokens, no BOS) -> ids."""
        ids = []
        for piece in _GPT2_ASCII.findall(text):
            got = self._cache.get(piece)
            if got is None:
                got = [self.ids[s] for s in bpe_word([self.b2u[b] for b in piece.encode("utf-8")], self.ranks)]
                self._cache[piece] = got
            ids += got
        return ids

    def encode_special(self, text: str) -> list:
        """Text that may hold special tokens, split on them first as HF does (no BOS added)."""
        ids = []
        for part in _SPECIAL_SPLIT.split(text):
            if part in self.ids and part in SPECIALS:
                ids.append(self.ids[part])
            elif part:
                ids += self.encode_text(part)
        return ids

    def decode(self, ids: list) -> str:
        u2b = {u: b for b, u in self.b2u.items()}
        out = bytearray()
        for i in ids:
            t = self.tokens[i]
            out += t.encode() if t in SPECIALS else bytes(u2b[ch] for ch in t)
        return out.decode("utf-8", errors="replace")

    def chat_prompt(self, question: str) -> list:
        """The chat template rendered for one user turn with add_generation_prompt, then encoded (with BOS)."""
        return [self.bos] + self.encode_special(f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n")

    def hf_tokenizer_config(self) -> dict:
        c = super().hf_tokenizer_config()
        c["model_max_length"] = self.MAX_LENGTH
        return c
