"""Re-score a recorded first run with the current scorer (qa/text_match.py).

The scorer only ever became more forgiving of wording (Dutch split verbs, more ways of
saying "the leaflet doesn't say"), so re-checking the recorded wrong replies gives the
exact figure the first run would have had with today's scorer; the bot is not re-run.

    python -m qa.rescore docs/first_runs/2026-12-02-baseline/answers tests/answers/blind1_b*.yml
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from qa.answer_eval import check


def main(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    run_dir, sets = Path(argv[0]), [Path(p) for p in argv[1:]]
    convs = {c["id"]: c for p in sets for c in yaml.safe_load(p.read_text(encoding="utf-8"))}
    right = total = 0
    for f in sorted(run_dir.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        summary = data["summary"]
        flips = sum(not check(w["reply"], convs[w["conversation"]]["turns"][w["turn"] - 1]["expect"])
                    for w in data["wrong"])
        print(f"{f.stem}: {summary['right']}/{summary['answers']} when run, "
              f"{summary['right'] + flips}/{summary['answers']} with today's scorer")
        right += summary["right"] + flips
        total += summary["answers"]
    print(f"all: {right}/{total} = {100 * right / total:.1f}% with today's scorer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
