"""Behaviour check for the safety rules: does assess() still give exactly the same
verdict on every message we have?

Collects every patient text in the repository's corpora (tests/safety/*.yml,
data/nlu/*.yml, tests/nlu/*.yml, tests/nlu_blind/*.yml, the user turns of
tests/answers/*.yml and tests/stories/*.yml), adds two derived variants of each
(voice typing: lower case without punctuation; and a few long messages over the
analysis window), runs ``actions.lib.red_flags.assess`` on all of them and stores
level, signs, negated, hypothetical, temperature, third_person, benign and truncated.

    python scripts/safety_equivalence.py --record            store the texts and verdicts (before a change)
    python scripts/safety_equivalence.py                     compare with the stored verdicts
    python scripts/safety_equivalence.py --time              also time assess() on the original texts

The comparison runs on the texts stored with the verdicts (so it still holds when the
corpora change in between); texts added to the corpora since are counted, not compared.
Exit status 1 when any verdict differs. The stored file defaults to
/tmp/safety_equivalence.json (``--file`` to change it). Use it for any change to the
rulebook that is meant to change nothing (a refactor, a comment, a reordering); a
change that is meant to change behaviour shows here exactly which messages it changes.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actions.lib.red_flags import MAX_ANALYSED_CHARS, assess, warm_up  # noqa: E402

SOURCES = (
    "tests/safety/*.yml",
    "data/nlu/*.yml",
    "tests/nlu/*.yml",
    "tests/nlu_blind/*.yml",
    "tests/answers/*.yml",
    "tests/stories/*.yml",
)
# Rasa entity annotations: [text]{"entity": ...} or [text](entity)
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")
_PUNCT = re.compile(r"[^\w\s']+")


def _strings(node, key=None):
    """Patient texts inside a loaded YAML document (any depth)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, key)
    elif isinstance(node, str):
        if key == "examples":
            for line in node.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield _ANNOTATION.sub(r"\1", line[2:]).strip()
        elif key in ("text", "user"):
            yield _ANNOTATION.sub(r"\1", node).strip()


def collect_texts() -> tuple[list[str], list[str]]:
    """(original texts, derived variants), each deduplicated, in a stable order."""
    originals: list[str] = []
    seen: set[str] = set()
    for pattern in SOURCES:
        for path in sorted(glob.glob(str(ROOT / pattern))):
            with open(path, encoding="utf-8") as fh:
                doc = yaml.safe_load(fh)
            for text in _strings(doc):
                if text and text not in seen:
                    seen.add(text)
                    originals.append(text)
    variants: list[str] = []
    for text in originals:
        spoken = " ".join(_PUNCT.sub(" ", text.lower()).split())
        if spoken and spoken not in seen:
            seen.add(spoken)
            variants.append(spoken)
    # long messages: the keyword scan of the part beyond the analysis window
    for i in range(0, len(originals), 97):
        block = " ".join(originals[i:i + 97])
        if len(block) > MAX_ANALYSED_CHARS and block not in seen:
            seen.add(block)
            variants.append(block)
    return originals, variants


def verdict(text: str) -> dict:
    a = assess(text)
    return {
        "level": a.level,
        "signs": list(a.signs),
        "negated": list(a.negated),
        "hypothetical": list(a.hypothetical),
        "temperature": a.temperature,
        "third_person": a.third_person,
        "benign": list(a.benign),
        "truncated": a.truncated,
    }


def timing(texts: list[str], rounds: int) -> dict:
    for t in texts:  # warm the caches
        assess(t)
    totals, per_msg = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for t in texts:
            s = time.perf_counter()
            assess(t)
            per_msg.append(time.perf_counter() - s)
        totals.append(time.perf_counter() - t0)
    per_msg.sort()
    return {
        "texts": len(texts),
        "rounds": rounds,
        "best_total_s": round(min(totals), 3),
        "median_total_s": round(statistics.median(totals), 3),
        "median_ms": round(statistics.median(per_msg) * 1000, 3),
        "p95_ms": round(per_msg[int(0.95 * len(per_msg))] * 1000, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="store the current texts and verdicts")
    parser.add_argument("--file", default="/tmp/safety_equivalence.json")
    parser.add_argument("--time", action="store_true", help="time assess() on the original texts")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    warm_up()
    print(f"warm_up: {time.perf_counter() - t0:.2f} s")
    originals, variants = collect_texts()

    if args.record:
        texts = originals + variants
        current = {t: verdict(t) for t in texts}
        with open(args.file, "w", encoding="utf-8") as fh:
            json.dump({"originals": originals, "derived": variants, "verdicts": current},
                      fh, ensure_ascii=False, indent=0)
        print(f"texts: {len(originals)} original + {len(variants)} derived = {len(texts)}")
        print(f"recorded {len(texts)} verdicts in {args.file}")
        if args.time:
            print("timing (original texts):", json.dumps(timing(originals, args.rounds)))
        return 0

    if not os.path.exists(args.file):
        print(f"no stored verdicts at {args.file}: run with --record first (before the change)")
        return 2
    with open(args.file, encoding="utf-8") as fh:
        data = json.load(fh)
    stored = data["verdicts"]
    stored_originals = data.get("originals") or list(stored)
    new = [t for t in originals + variants if t not in stored]
    if args.time:
        print("timing (stored original texts):", json.dumps(timing(stored_originals, args.rounds)))
    diffs = []
    for t, before in stored.items():
        after = verdict(t)
        if after != before:
            diffs.append((t, before, after))
    for t, before, after in diffs[:50]:
        print(f"DIFF {t[:120]!r}\n   before {before}\n   after  {after}")
    print(f"compared {len(stored)} stored texts ({len(stored_originals)} original + "
          f"{len(stored) - len(stored_originals)} derived; {len(new)} texts in the corpora now "
          f"have no stored verdict): {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
