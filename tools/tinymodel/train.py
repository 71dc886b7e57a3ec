"""Trains hearth-tiny, the small model that ships with Hearth (see models/hearth-tiny/README.md).

    /usr/bin/python3 tools/tinymodel/train.py train  [--steps N] [--work /tmp/tinymodel]   # tokenizer, eval set, training
    /usr/bin/python3 tools/tinymodel/train.py export [--work /tmp/tinymodel]               # HF + GGUF, eval, golden

Seeded throughout (python random, torch); single-threaded torch. Bit-exact reproduction needs the same torch
version (1.13, Debian python3-torch) and thread count. Needs the Debian packages listed in data.py.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "reference"))
import data  # noqa: E402
from bpe import TinyTokenizer  # noqa: E402
from model import TinyConfig, TinyLlama  # noqa: E402

SEED = 20240601
VOCAB = 2048
CONFIG = TinyConfig(vocab_size=VOCAB, dim=192, n_layers=6, n_heads=6, n_kv_heads=3, ffn_dim=512, max_pos=256)
ROW_LEN, BATCH = 128, 16
PROSE_ROWS = 0.15  # fraction of rows that are KJV prose; the rest are multi-turn instruction chats
EVAL_PER_TASK = 200
OUT = os.path.join(REPO, "models", "hearth-tiny")


def build_tokenizer(tasks: data.Tasks, prose: list) -> TinyTokenizer:
    rng = random.Random(SEED + 1)
    texts = list(prose) + [q + " " + a for _, q, a in (tasks.sample(rng) for _ in range(20000))]
    texts += ["user", "assistant", "system"]
    return TinyTokenizer(texts, VOCAB)


class Batches:
    """Rows of ROW_LEN + 1 ids: BOS + chat turns (loss on assistant answers and their <|im_end|>\\n only) or
    BOS + prose (loss everywhere)."""

    def __init__(self, tok: TinyTokenizer, tasks: data.Tasks, prose: list, seed: int):
        self.tok, self.tasks, self.prose = tok, tasks, prose
        self.rng = random.Random(seed)
        self.user = tok.encode_special("<|im_start|>user\n")
        self.assistant_head = tok.encode_special("<|im_end|>\n<|im_start|>assistant\n")
        self.end = tok.encode_special("<|im_end|>\n")

    def row(self):
        n = ROW_LEN + 1
        ids, mask = [self.tok.bos], [0]
        if self.rng.random() < PROSE_ROWS:
            i = self.rng.randrange(len(self.prose))
            while len(ids) < n:
                piece = self.tok.encode_text(self.prose[i % len(self.prose)] + " ")
                ids += piece
                mask += [1] * len(piece)
                i += 1
        else:
            while len(ids) < n:
                _, q, a = self.tasks.sample(self.rng)
                prompt = self.user + self.tok.encode_text(q) + self.assistant_head
                answer = self.tok.encode_text(a) + self.end
                ids += prompt + answer
                mask += [0] * len(prompt) + [1] * len(answer)
        return ids[:n], mask[:n]

    def next(self):
        rows = [self.row() for _ in range(BATCH)]
        ids = torch.tensor([r[0] for r in rows])
        mask = torch.tensor([r[1] for r in rows], dtype=torch.float32)
        return ids[:, :-1], ids[:, 1:], mask[:, 1:]


def prepare(work: str):
    data.check_packages()
    tasks = data.Tasks(SEED, EVAL_PER_TASK)
    prose = data.load_prose()
    tok = build_tokenizer(tasks, prose)
    return tasks, prose, tok


def train(args) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    os.makedirs(args.work, exist_ok=True)
    tasks, prose, tok = prepare(args.work)
    model = TinyLlama(CONFIG)
    if args.init_from:  # a continuation stage: weights of the previous stage, fresh optimizer and data stream
        import make_tiny_models as mtm  # noqa: E402  (tools/reference)
        model.load_state_dict(mtm.read_hf_weights(args.init_from))
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    batches = Batches(tok, tasks, prose, SEED + 2 + 1000 * args.stage)
    # Warmup-stable-decay schedule. With --minutes the stable phase runs until 80% of the wall budget, then the
    # decay length is fixed from the steps done so far; the log and checkpoint record --steps/--decay-from, which
    # reproduce the run exactly without a time budget.
    warmup = 50 if args.init_from else 100
    decay_from, total = (args.decay_from or int(args.steps * 0.8)), args.steps
    if args.minutes:
        decay_from, total = 10 ** 9, 10 ** 9
    log = open(os.path.join(args.work, "train.log"), "a", buffering=1)
    log.write(f"params {n_params} batch {BATCH}x{ROW_LEN} lr {args.lr} threads {args.threads} "
              f"steps {args.steps} decay_from {args.decay_from} minutes {args.minutes} init_from {args.init_from!r} stage {args.stage}\n")
    start, ema, step = time.time(), None, 0
    while step < total:
        step += 1
        if args.minutes and decay_from == 10 ** 9 and time.time() - start >= 0.8 * 60 * args.minutes:
            decay_from, total = step, step + max(1, step // 4)
            log.write(f"decay from step {decay_from} to {total}: reproduce with --steps {total} --decay-from {decay_from}\n")
        if step <= warmup:
            lr = args.lr * step / warmup
        elif step <= decay_from:
            lr = args.lr
        else:
            lr = args.lr * (1 - 0.9 * (step - decay_from) / (total - decay_from))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y, m = batches.next()
        logits = model(x)
        losses = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1), reduction="none")
        loss = (losses * m.reshape(-1)).sum() / m.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 25 == 0 or step == total:
            log.write(f"step {step} loss {loss.item():.4f} ema {ema:.4f} lr {lr:.2e} {time.time() - start:.0f}s\n")
        if step % 100 == 0 or step == total:
            torch.save({"model": model.state_dict(), "step": step, "ema_loss": ema, "seconds": time.time() - start,
                        "params": n_params, "steps": total, "decay_from": decay_from, "lr": args.lr, "threads": args.threads,
                        "torch": torch.__version__, "init_from": args.init_from, "stage": args.stage}, os.path.join(args.work, "ckpt.pt"))
    log.write(f"done {time.time() - start:.0f}s\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=["train", "export"])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--decay-from", type=int, default=0, help="step where the linear decay starts (default 80%%)")
    ap.add_argument("--minutes", type=float, default=0, help="wall budget instead of --steps (see train())")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--work", default="/tmp/tinymodel")
    ap.add_argument("--init-from", default="", help="continue training from a previous stage's HF folder (e.g. "
                    "models/hearth-tiny): weights only, with a fresh optimizer, a 50-step warmup and a new data stream")
    ap.add_argument("--stage", type=int, default=0, help="continuation stage number (seeds that stage's data stream)")
    args = ap.parse_args()
    if args.phase == "train":
        train(args)
    else:
        import export  # noqa: E402  (kept apart: export.py writes the files, evaluates and writes goldens)
        export.run(args, prepare, CONFIG, OUT, SEED)


if __name__ == "__main__":
    main()
