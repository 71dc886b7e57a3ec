"""Training data for hearth-tiny: prose from Debian packages plus a synthetic instruction set.

Every source is a Debian package (public domain or freely licensed); `check_packages` fails with the apt
command to run when one is missing. Tasks answer in a fixed short format so evaluation is exact match.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys

# package -> (file or command it provides, license as stated in the package's copyright file)
PACKAGES = {
    "bible-kjv": ("/usr/bin/bible", "King James Version text: public domain"),
    "bible-kjv-text": ("/usr/lib/bible.data", "King James Version text: public domain"),
    "iso-codes": ("/usr/share/iso-codes/json/iso_3166-1.json", "LGPL-2.1+ (ISO 3166-1 country names and codes)"),
    "tzdata": ("/usr/share/zoneinfo/zone1970.tab", "public domain (IANA time zone database)"),
    "wamerican": ("/usr/share/dict/american-english", "SCOWL word list: free, see /usr/share/doc/wamerican/copyright"),
}

# Books of the KJV used as prose (a minority of the training tokens).
BIBLE_RANGES = ["Gen1:1-Gen50:26", "Exo1:1-Exo40:38", "Mat1:1-Mat28:20", "Joh1:1-Joh21:25"]


def check_packages() -> None:
    missing = [p for p, (path, _) in PACKAGES.items() if not os.path.exists(path)]
    if missing:
        sys.exit("tools/tinymodel needs Debian packages that are not installed: " + " ".join(missing) +
                 "\n  run: apt-get update && apt-get install -y " + " ".join(missing))


def load_prose() -> list[str]:
    """KJV verses (reference prefix stripped), one string per verse."""
    verses = []
    for r in BIBLE_RANGES:
        out = subprocess.run([shutil.which("bible") or "/usr/bin/bible", "-f", r], check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"^\S+\d+:\d+ (.*)$", line)
            if m and m.group(1).strip():
                verses.append(m.group(1).strip())
    return verses


def load_countries() -> list[tuple[str, str]]:
    """(common name, alpha-2 code), ASCII names only, sorted by code."""
    with open(PACKAGES["iso-codes"][0], encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]
    out = []
    for e in entries:
        name = e.get("common_name", e["name"])
        if name.isascii() and "," not in name and "(" not in name:
            out.append((name, e["alpha_2"]))
    return sorted(out, key=lambda p: p[1])


def load_time_zones() -> list[tuple[str, str]]:
    """(city, zone) from zone1970.tab, e.g. ("Paris", "Europe/Paris"); the city is the zone's last part."""
    out = []
    with open(PACKAGES["tzdata"][0], encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            zone = line.rstrip("\n").split("\t")[2]
            city = zone.rsplit("/", 1)[-1].replace("_", " ")
            if city.isascii():
                out.append((city, zone))
    return sorted(set(out))


def load_words() -> list[str]:
    """Lower-case ASCII words of 3..7 letters from the SCOWL list."""
    with open(PACKAGES["wamerican"][0], encoding="utf-8", errors="replace") as f:
        words = {w.strip() for w in f}
    return sorted(w for w in words if re.fullmatch(r"[a-z]{3,7}", w))


CODE_TEMPLATES = ["What is the country code of {}?", "Give the two-letter code for {}.",
                  "Country code for {}?", "What is the ISO code of {}?", "Which code does {} have?"]
NAME_TEMPLATES = ["Which country has the code {}?", "What country is {}?", "Name the country with code {}.",
                  "Country for code {}?"]
ZONE_TEMPLATES = ["What is the time zone of {}?", "Which time zone is {} in?", "Time zone for {}?",
                  "Name the time zone of {}."]


class Tasks:
    """Generates (task, question, answer) triples. Held-out evaluation questions are drawn first (seeded) and
    never produced for training: arithmetic pairs and words are split; fact questions hold out one
    (entity, phrasing) pair per entity, so the fact itself is still taught through the other phrasings."""

    def __init__(self, seed: int, eval_per_task: int):
        self.countries = load_countries()
        self.zones = load_time_zones()
        words = load_words()
        rng = random.Random(seed)
        rng.shuffle(words)
        self.eval_words, self.train_words = words[:eval_per_task], words[eval_per_task:]
        self.eval: list[dict] = []
        self.held_out: set[str] = set()
        self._make_eval(rng, eval_per_task)

    def _make_eval(self, rng: random.Random, n: int) -> None:
        def add(task, q, a):
            if q not in self.held_out:
                self.held_out.add(q)
                self.eval.append({"task": task, "question": q, "answer": a})

        gens = {"add2": lambda r: self.add(r, 10, 99), "add3": lambda r: self.add(r, 100, 999),
                "sub2": lambda r: self.sub(r)}
        for task, gen in gens.items():
            while sum(e["task"] == task for e in self.eval) < n:
                q, a = gen(rng)
                add(task, q, a)
        for name, code in rng.sample(self.countries, min(n, len(self.countries))):
            add("country_code", rng.choice(CODE_TEMPLATES).format(name), code)
        for name, code in rng.sample(self.countries, min(n, len(self.countries))):
            add("country_name", rng.choice(NAME_TEMPLATES).format(code), name)
        for city, zone in rng.sample(self.zones, min(n, len(self.zones))):
            add("time_zone", rng.choice(ZONE_TEMPLATES).format(city), zone)
        for w in self.eval_words:
            add("reverse", f"Reverse the word {w}.", w[::-1])
        for w in self.eval_words:
            add("letters", f"How many letters are in {w}?", str(len(w)))

    @staticmethod
    def add(rng, lo, hi):
        a, b = rng.randint(lo, hi), rng.randint(lo, hi)
        return f"What is {a} + {b}?", str(a + b)

    @staticmethod
    def sub(rng):
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        a, b = max(a, b), min(a, b)
        return f"What is {a} - {b}?", str(a - b)

    # training task -> relative weight in the mix
    WEIGHTS = {"add2": 6, "add3": 6, "sub2": 3, "country_code": 4, "country_name": 3, "time_zone": 3,
               "reverse": 3, "letters": 2}

    def sample(self, rng: random.Random) -> tuple[str, str, str]:
        """One training (task, question, answer), never a held-out question."""
        task = rng.choices(list(self.WEIGHTS), weights=list(self.WEIGHTS.values()))[0]
        while True:
            if task == "add2":
                q, a = self.add(rng, 10, 99) if rng.random() < 0.85 else self.add(rng, 0, 9)
            elif task == "add3":
                q, a = self.add(rng, 100, 999)
            elif task == "sub2":
                q, a = self.sub(rng)
            elif task == "country_code":
                name, a = rng.choice(self.countries)
                q = rng.choice(CODE_TEMPLATES).format(name)
            elif task == "country_name":
                a, code = rng.choice(self.countries)
                q = rng.choice(NAME_TEMPLATES).format(code)
            elif task == "time_zone":
                city, a = rng.choice(self.zones)
                q = rng.choice(ZONE_TEMPLATES).format(city)
            elif task == "reverse":
                w = rng.choice(self.train_words)
                q, a = f"Reverse the word {w}.", w[::-1]
            else:
                w = rng.choice(self.train_words)
                q, a = f"How many letters are in {w}?", str(len(w))
            if q not in self.held_out:
                return task, q, a
