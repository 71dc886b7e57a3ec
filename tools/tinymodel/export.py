"""Export phase of tools/tinymodel/train.py: writes models/hearth-tiny (HF folder + GGUF), the held-out eval set,
the PyTorch evaluation and the greedy golden. Every file is checked against tools/reference/llama_ref.py."""
from __future__ import annotations

import json
import os
from collections import defaultdict

import torch

import make_tiny_models as mtm  # tools/reference: HF / GGUF writers, GGUF read-back
from llama_ref import LlamaConfig, LlamaRef
from model import TinyLlama

GOLDEN_TOKENS = 64
MAX_ANSWER_TOKENS = 24
# Candidates in order; a prompt is kept only if every greedy pick beats the runner-up by MIN_MARGIN, so that
# float32 summation-order differences between engines cannot flip a token.
GOLDEN_CHAT = ["What is 23 + 45?", "What is the country code of France?", "Reverse the word stone.",
               "Which time zone is Tokyo in?", "What is 512 + 274?", "Which country has the code DE?",
               "How many letters are in garden?", "What is 81 - 37?", "Hello! Who are you?"]
GOLDEN_TEXT = ["In the beginning God created", "And Jesus said unto them,", "And the LORD spake unto Moses,"]
MIN_MARGIN = 0.001
GOLDEN_COUNT = 7


def dump(obj, path: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=1, ensure_ascii=False) + "\n")


def hf_v(tok, c) -> dict:
    # make_tiny_models.hf_config reads the body sizes from module globals; set them to ours.
    mtm.DIM, mtm.LAYERS, mtm.HEAD_DIM, mtm.FFN = c.dim, c.n_layers, c.head_dim, c.ffn_dim
    return dict(arch="llama", tok=tok, hf=dict(
        num_attention_heads=c.n_heads, num_key_value_heads=c.n_kv_heads, max_position_embeddings=c.max_pos,
        rms_norm_eps=c.norm_eps, rope_theta=c.rope_theta, rope_scaling=None,
        bos_token_id=tok.bos, eos_token_id=tok.im_end))


@torch.no_grad()
def greedy_answers(model: TinyLlama, tok, questions: list) -> list:
    """Greedy decode (full re-forward each step) of each chat prompt until <|im_end|>; batched by prompt length."""
    by_len = defaultdict(list)
    for i, q in enumerate(questions):
        by_len[len(tok.chat_prompt(q))].append(i)
    out = [None] * len(questions)
    for idxs in by_len.values():
        x = torch.tensor([tok.chat_prompt(questions[i]) for i in idxs])
        done = torch.zeros(len(idxs), dtype=torch.bool)
        gen = []
        for _ in range(MAX_ANSWER_TOKENS):
            nxt = model(x)[:, -1].argmax(-1)
            gen.append(nxt)
            done |= nxt == tok.im_end
            x = torch.cat([x, nxt[:, None]], dim=1)
            if done.all():
                break
        gen = torch.stack(gen, 1).tolist()
        for row, i in zip(gen, idxs):
            ids = row[:row.index(tok.im_end)] if tok.im_end in row else row
            out[i] = tok.decode(ids).strip()
    return out


def golden(ref: LlamaRef, prompt: list) -> dict:
    cache = ref.new_cache()
    last = ref.forward(prompt, 0, cache)[-1]
    seq, gen, margins = list(prompt), [], []
    for _ in range(GOLDEN_TOKENS):
        top = torch.topk(last, 2).values
        margins.append(float(top[0] - top[1]))
        nxt = int(torch.argmax(last))
        gen.append(nxt)
        seq.append(nxt)
        if len(gen) < GOLDEN_TOKENS:
            last = ref.forward([nxt], len(seq) - 1, cache)[0]
    return {"prompt_ids": prompt, "generated_ids": gen, "min_top1_margin": round(min(margins), 4)}


def run(args, prepare, c, out: str, seed: int) -> None:
    torch.set_num_threads(args.threads)
    tasks, _, tok = prepare(args.work)
    ckpt = torch.load(os.path.join(args.work, "ckpt.pt"))
    model = TinyLlama(c)
    model.load_state_dict(ckpt["model"])
    model.eval()
    weights = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    training_json = os.path.join(out, "eval", "training.json")
    previous_training = json.load(open(training_json)) if os.path.exists(training_json) else None

    v = hf_v(tok, c)
    cfg = mtm.hf_config(v, "float32")
    lc = LlamaConfig.from_hf(cfg)
    ref = LlamaRef(lc, weights)
    probe = tok.chat_prompt("What is 12 + 34?")
    with torch.no_grad():
        diff = float((model(torch.tensor([probe]))[0] - ref.forward(probe)).abs().max())
    assert diff < 1e-4, f"training model and llama_ref disagree by {diff}"

    os.makedirs(os.path.join(out, "eval"), exist_ok=True)
    mtm.write_hf(out, v, weights, "float32")
    gguf_path = os.path.join(out, "model.gguf")
    mtm.write_gguf(gguf_path, "hearth-tiny", v, weights, "f32")
    back_hf = mtm.read_hf_weights(out)
    assert back_hf.keys() == weights.keys() and all(torch.equal(back_hf[k], weights[k]) for k in weights)
    back = mtm.weights_from_gguf(gguf_path, lc, "llama")
    assert all(torch.equal(back[k], weights[k]) for k in weights), "GGUF does not read back as written"

    with open(os.path.join(out, "eval", "heldout.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for e in tasks.eval:
            f.write(json.dumps(e) + "\n")
    answers = greedy_answers(model, tok, [e["question"] for e in tasks.eval])
    per_task = defaultdict(lambda: [0, 0])
    for e, a in zip(tasks.eval, answers):
        per_task[e["task"]][0] += a == e["answer"]
        per_task[e["task"]][1] += 1
    result = {"engine": "pytorch (tools/tinymodel/model.py, greedy)", "step": ckpt["step"],
              "accuracy": {t: round(ok / n, 4) for t, (ok, n) in per_task.items()},
              "counts": {t: [ok, n] for t, (ok, n) in per_task.items()},
              "answers": answers}
    dump(result, os.path.join(out, "eval", "results-pytorch.json"))

    candidates = [{"kind": "chat", "text": q, **golden(ref, tok.chat_prompt(q))} for q in GOLDEN_CHAT]
    candidates += [{"kind": "text", "text": t, **golden(ref, [tok.bos] + tok.encode_text(t))} for t in GOLDEN_TEXT]
    prompts = [p for p in candidates if p["min_top1_margin"] >= MIN_MARGIN][:GOLDEN_COUNT]
    assert len(prompts) >= 5, f"only {len(prompts)} golden prompts have clear greedy margins"
    dump({"format": "hearth-greedy-golden", "version": 1, "generator": "tools/tinymodel/train.py export",
          "torch": torch.__version__, "model_files": {"hf": ".", "gguf": "model.gguf"}, "tokens": GOLDEN_TOKENS,
          "note": "chat prompts are the chat template (one user turn, add_generation_prompt) encoded with BOS; "
                  "greedy decoding does not stop at <|im_end|>",
          "prompts": prompts}, os.path.join(out, "golden-greedy.json"))
    stage = {"step": ckpt["step"], "steps": ckpt["steps"], "decay_from": ckpt.get("decay_from"), "ema_loss": round(ckpt["ema_loss"], 4),
             "train_seconds": round(ckpt["seconds"]), "params": ckpt["params"], "torch": ckpt["torch"],
             "threads": ckpt["threads"], "lr": ckpt["lr"], "seed": seed, "init_from": ckpt.get("init_from", ""),
             "stage": ckpt.get("stage", 0)}
    # A continuation stage keeps the record of the stages before it (read before this export overwrote it).
    stages = [stage]
    if stage["init_from"]:
        prev = previous_training or {}
        stages = prev.get("stages", [prev] if prev else []) + [stage]
    dump({**stage, "stages": stages, "total_steps": sum(s["step"] for s in stages),
          "total_train_seconds": sum(s["train_seconds"] for s in stages)}, os.path.join(out, "eval", "training.json"))
    print(json.dumps(result["accuracy"]), "min golden margin", min(p["min_top1_margin"] for p in prompts))
