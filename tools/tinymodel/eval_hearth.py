"""Runs the held-out evaluation through Hearth itself: `hearth chat` (greedy, the default) reads every question
from stdin, with /reset between them so each is a fresh one-turn conversation; one reply line per question.

    /usr/bin/python3 tools/tinymodel/eval_hearth.py [--model models/hearth-tiny] [--hearth "dotnet run ..."]

Writes models/hearth-tiny/eval/results-hearth<suffix>.json with per-task accuracy and agreement with PyTorch.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVAL = os.path.join(REPO, "models", "hearth-tiny", "eval")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/hearth-tiny")
    ap.add_argument("--hearth", default="dotnet run --project src/Hearth.Cli -c Release --")
    ap.add_argument("--suffix", default="")
    args = ap.parse_args()
    with open(os.path.join(EVAL, "heldout.jsonl"), encoding="utf-8") as f:
        items = [json.loads(line) for line in f]
    stdin = "".join(e["question"] + "\n/reset\n" for e in items)
    cmd = shlex.split(args.hearth) + ["chat", "--model", args.model, "--max-tokens", "24"]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"hearth chat failed ({proc.returncode}): {proc.stderr[-2000:]}")
    replies = proc.stdout.split("\n")[:len(items)]
    assert len(replies) == len(items), f"expected {len(items)} reply lines, got {len(replies)}"
    with open(os.path.join(EVAL, "results-pytorch.json"), encoding="utf-8") as f:
        torch_answers = json.load(f)["answers"]
    counts = defaultdict(lambda: [0, 0])
    agree = 0
    for e, reply, ref in zip(items, replies, torch_answers):
        reply = reply.strip()
        counts[e["task"]][0] += reply == e["answer"]
        counts[e["task"]][1] += 1
        agree += reply == ref
    result = {"engine": "hearth chat (greedy), " + " ".join(cmd), "model": args.model,
              "accuracy": {t: round(ok / n, 4) for t, (ok, n) in counts.items()},
              "counts": {t: c for t, c in counts.items()},
              "same_answer_as_pytorch": f"{agree}/{len(items)}", "answers": [r.strip() for r in replies]}
    with open(os.path.join(EVAL, f"results-hearth{args.suffix}.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result["accuracy"]), "same as pytorch:", result["same_answer_as_pytorch"])


if __name__ == "__main__":
    main()
