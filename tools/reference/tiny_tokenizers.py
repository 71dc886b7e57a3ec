"""Tiny tokenizers generated from a fixed English corpus, in Hugging Face tokenizer.json form and as
GGUF tokenizer.ggml.* metadata, plus a small encoder (the HF BPE algorithm) for golden prompt ids.

(a) byte-level BPE, GPT-2 style (Llama 3 / Qwen2 family): ByteLevel pre-tokenizer with the GPT-2 regex.
(b) SentencePiece-style BPE (Llama 2 / Mistral family): "▁" for spaces, byte fallback to <0xXX>.
"""
from __future__ import annotations

import re
from collections import Counter

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello world! It's a small model, isn't it?",
    "There are 3 apples and 12 oranges on the table.",
    "She said that the weather would be nice tomorrow.",
    "We're going to the market in the morning to buy some bread.",
    "In the beginning there was the word, and the word was short.",
    "They'll never know what the answer to the question is.",
    "A tiny random model is used for testing the inference engine.",
    "The cat sat on the mat, and the dog sat on the log.",
    "Reading and writing are the things that matter the most.",
    "This is the end of the sentence list; thank you for reading!",
    "Numbers like 2024 and 1999 are split into digits by the tokenizer.",
]

# GPT-2's pre-tokenizer regex; \p{L} / \p{N} restricted to ASCII, which is exact for the ASCII text used here.
GPT2_REGEX = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
_GPT2_ASCII = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")

SPIECE = "\u2581"  # ▁


def bytes_to_unicode() -> dict:
    """GPT-2's reversible byte -> printable unicode map; its insertion order is the id order of the 256 byte tokens."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def train_bpe(words: Counter, n_merges: int) -> list:
    """Classic BPE: repeatedly merge the most frequent adjacent pair (ties: lexicographically smallest)."""
    seqs = {w: list(w) for w in words}
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, syms in seqs.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] += words[w]
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        for w, syms in seqs.items():
            i, out = 0, []
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == best:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            seqs[w] = out
    return merges


def bpe_word(symbols: list, ranks: dict) -> list:
    """HF BPE on one word: apply the lowest-rank adjacent merge (leftmost first) until none applies."""
    syms = list(symbols)
    while len(syms) > 1:
        best = None
        for i in range(len(syms) - 1):
            r = ranks.get((syms[i], syms[i + 1]))
            if r is not None and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            break
        i = best[1]
        syms[i:i + 2] = [syms[i] + syms[i + 1]]
    return syms


class ByteLevelTokenizer:
    def __init__(self, vocab_size: int, n_merges: int = 50):
        b2u = bytes_to_unicode()
        self.b2u = b2u
        words = Counter()
        for line in CORPUS:
            for piece in _GPT2_ASCII.findall(line):
                words["".join(b2u[b] for b in piece.encode("utf-8"))] += 1
        self.merges = train_bpe(words, n_merges)
        self.tokens = list(b2u.values()) + [a + b for a, b in self.merges]
        self.n_base = len(self.tokens)
        self.specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|im_start|>", "<|im_end|>"]
        n_reserved = vocab_size - self.n_base - len(self.specials)
        assert n_reserved >= 0, "vocab_size too small"
        self.specials += [f"<|reserved_special_token_{i}|>" for i in range(n_reserved)]
        self.tokens += self.specials
        assert len(set(self.tokens)) == len(self.tokens) == vocab_size
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.bos, self.eos = self.ids["<|begin_of_text|>"], self.ids["<|end_of_text|>"]
        self.eot, self.im_start, self.im_end = self.ids["<|eot_id|>"], self.ids["<|im_start|>"], self.ids["<|im_end|>"]
        self.ranks = {m: i for i, m in enumerate(self.merges)}

    def encode(self, text: str, add_bos: bool = True) -> list:
        assert text.isascii(), "the Python encoder implements the GPT-2 regex for ASCII text only"
        ids = [self.bos] if add_bos else []
        for piece in _GPT2_ASCII.findall(text):
            syms = [self.b2u[b] for b in piece.encode("utf-8")]
            ids += [self.ids[s] for s in bpe_word(syms, self.ranks)]
        return ids

    CHAT_TEMPLATE = ("{{ bos_token }}{% for message in messages %}"
                     "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
                     "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

    def hf_tokenizer_json(self) -> dict:
        bos = "<|begin_of_text|>"
        return {
            "version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": self.ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                              "normalized": False, "special": True} for t in self.specials],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {bos: {"id": bos, "ids": [self.bos], "tokens": [bos]}}},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": {t: i for i, t in enumerate(self.tokens[:self.n_base])},
                      "merges": [f"{a} {b}" for a, b in self.merges]},
        }

    def hf_tokenizer_config(self) -> dict:
        return {
            "add_bos_token": True, "add_eos_token": False,
            "added_tokens_decoder": {str(self.ids[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                                        "single_word": False, "special": True} for t in self.specials},
            "bos_token": "<|begin_of_text|>", "chat_template": self.CHAT_TEMPLATE, "clean_up_tokenization_spaces": True,
            "eos_token": "<|im_end|>", "model_input_names": ["input_ids", "attention_mask"], "model_max_length": 128,
            "tokenizer_class": "PreTrainedTokenizerFast",
        }

    def gguf_metadata(self) -> dict:
        return {"model": "gpt2", "pre": "gpt-2", "tokens": self.tokens,
                "token_type": [1] * self.n_base + [3] * len(self.specials),
                "merges": [f"{a} {b}" for a, b in self.merges], "bos": self.bos, "eos": self.im_end,
                "eot": self.im_end, "add_bos": True, "chat_template": self.CHAT_TEMPLATE}


class SentencePieceBpeTokenizer:
    """Llama 2 style: <unk> <s> </s>, 256 <0xXX> byte tokens, then merged pieces, then single characters."""

    def __init__(self, vocab_size: int):
        words = Counter()
        chars = set()
        for line in CORPUS:
            for w in line.split(" "):
                words[SPIECE + w] += 1
                chars.update(SPIECE + w)
        chars = sorted(chars)
        n_merges = vocab_size - 3 - 256 - len(chars)
        self.merges = train_bpe(words, n_merges)
        assert len(self.merges) == n_merges, "corpus too small for the requested vocab"
        self.pieces = [a + b for a, b in self.merges]
        self.tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + self.pieces + chars
        assert len(set(self.tokens)) == len(self.tokens) == vocab_size
        first_piece = 259
        # SentencePiece scores: 0 for control/byte tokens, then decreasing with the piece's rank.
        self.scores = [0.0] * first_piece + [-float(i) for i in range(len(self.tokens) - first_piece)]
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.unk, self.bos, self.eos = 0, 1, 2
        # Merges as HF's SentencePiece converter derives them: every split of a piece into two vocab pieces,
        # ordered by the merged piece's score (best first), then by the ids of the two halves.
        self.hf_merges = []
        for piece in self.pieces:
            local = [(piece[:k], piece[k:]) for k in range(1, len(piece)) if piece[:k] in self.ids and piece[k:] in self.ids]
            self.hf_merges += sorted(local, key=lambda p: (self.ids[p[0]], self.ids[p[1]]))
        self.ranks = {m: i for i, m in enumerate(self.hf_merges)}

    def encode(self, text: str, add_bos: bool = True) -> list:
        norm = SPIECE + text.replace(" ", SPIECE)
        ids = [self.bos] if add_bos else []
        for sym in bpe_word(list(norm), self.ranks):
            if sym in self.ids:
                ids.append(self.ids[sym])
            else:
                ids += [self.ids[f"<0x{b:02X}>"] for b in sym.encode("utf-8")]
        return ids

    # Llama 2 [INST] style: an optional system message goes inside the first user turn.
    CHAT_TEMPLATE = ("{% if messages[0]['role'] == 'system' %}{% set system = messages[0]['content'] | trim %}"
                     "{% set turns = messages[1:] %}{% else %}{% set system = '' %}{% set turns = messages %}{% endif %}"
                     "{% for message in turns %}{% if message['role'] == 'user' %}"
                     "{% if loop.first and system %}{% set content = '<<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' + message['content'] | trim %}"
                     "{% else %}{% set content = message['content'] | trim %}{% endif %}"
                     "{{ bos_token + '[INST] ' + content + ' [/INST]' }}"
                     "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] | trim + ' ' + eos_token }}"
                     "{% endif %}{% endfor %}")

    def hf_tokenizer_json(self) -> dict:
        special = {"single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        return {
            "version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [dict(id=i, content=t, **special) for i, t in enumerate(self.tokens[:3])],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Prepend", "prepend": SPIECE},
                {"type": "Replace", "pattern": {"String": " "}, "content": SPIECE}]},
            "pre_tokenizer": None,
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [self.bos], "tokens": ["<s>"]}}},
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": SPIECE}, "content": " "},
                {"type": "ByteFallback"}, {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                      "vocab": {t: i for i, t in enumerate(self.tokens)},
                      "merges": [f"{a} {b}" for a, b in self.hf_merges]},
        }

    def hf_tokenizer_config(self) -> dict:
        dec = {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False,
                        "special": True} for i, t in enumerate(self.tokens[:3])}
        return {
            "add_bos_token": True, "add_eos_token": False, "added_tokens_decoder": dec,
            "bos_token": "<s>", "chat_template": self.CHAT_TEMPLATE, "clean_up_tokenization_spaces": False,
            "eos_token": "</s>", "legacy": True, "model_max_length": 128, "pad_token": None,
            "sp_model_kwargs": {}, "tokenizer_class": "LlamaTokenizer", "unk_token": "<unk>", "use_default_system_prompt": False,
        }

    def gguf_metadata(self) -> dict:
        types = [2, 3, 3] + [6] * 256 + [1] * (len(self.tokens) - 259)
        return {"model": "llama", "pre": "default", "tokens": self.tokens, "scores": self.scores, "token_type": types,
                "bos": self.bos, "eos": self.eos, "unk": self.unk, "add_bos": True, "add_space_prefix": True,
                "chat_template": self.CHAT_TEMPLATE}
