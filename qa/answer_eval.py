"""Question sets end to end: every conversation in a fresh session over HTTP, every checked
reply scored on its content (expected facts present, wrong facts absent, an honest "the
leaflet doesn't say" with a contact where the leaflets are silent).

    python -m qa.answer_eval tests/answers/blind1_b1.yml [...] [--url URL] [--out results/answers]

Item format (YAML list): id, kind, treatment, turns: [{user, expect: {all_of, none_of,
honest_unknown, polite}}]. A reply is right when every expectation of its turn holds.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from qa.client import RestPatient
from qa.runner import assistant_url
from qa.text_match import is_alarm, is_honest_unknown, missing_groups, present


@dataclass
class TurnResult:
    conversation: str
    turn: int
    kind: str
    treatment: str
    user: str
    reply: str
    ok: bool
    problems: list = field(default_factory=list)


def check(reply: str, expect: dict, status_ok: bool = True) -> list[str]:
    """What is wrong with the reply (empty list: right)."""
    problems = []
    if not status_ok or not reply.strip():
        return ["no reply"]
    for group in missing_groups(reply, expect.get("all_of") or []):
        problems.append("missing: " + " | ".join(group))
    for wrong in present(reply, expect.get("none_of") or []):
        problems.append("must not say: " + wrong)
    if expect.get("honest_unknown") and not is_honest_unknown(reply):
        problems.append("no honest 'the leaflet does not say' with a contact")
    if (expect.get("polite") or expect.get("honest_unknown")) and is_alarm(reply):
        problems.append("raised an alarm")
    return problems


def run_conversation(base_url: str, conv: dict) -> list[TurnResult]:
    patient = RestPatient(base_url)
    results = []
    for i, turn in enumerate(conv.get("turns") or [], start=1):
        reply = patient.tap(turn["tap"]) if "tap" in turn else patient.say(turn["user"])
        expect = turn.get("expect")
        if not expect:
            continue
        problems = check(reply.text, expect, reply.status == 200)
        results.append(TurnResult(
            conversation=str(conv.get("id")), turn=i, kind=conv.get("kind", ""),
            treatment=conv.get("treatment", ""), user=turn.get("user") or turn.get("tap"),
            reply=reply.text, ok=not problems, problems=problems))
    return results


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def summarise(results: list[TurnResult]) -> dict:
    by_kind = defaultdict(lambda: [0, 0])
    convs = defaultdict(lambda: True)
    for r in results:
        by_kind[r.kind][0] += r.ok
        by_kind[r.kind][1] += 1
        convs[r.conversation] &= r.ok
    n = len(results)
    return {
        "answers": n,
        "right": sum(r.ok for r in results),
        "answer_correctness": round(100.0 * sum(r.ok for r in results) / n, 1) if n else None,
        "conversations": len(convs),
        "conversations_right": round(100.0 * sum(convs.values()) / len(convs), 1) if convs else None,
        "by_kind": {k: f"{ok}/{tot}" for k, (ok, tot) in sorted(by_kind.items())},
    }


def evaluate(paths: list[Path], url: str | None = None, workers: int = 4) -> dict:
    out = {}
    with assistant_url(url) as base:
        for path in paths:
            convs = load(path)
            with cf.ThreadPoolExecutor(workers) as pool:
                nested = list(pool.map(lambda c: run_conversation(base, c), convs))
            results = [r for rs in nested for r in rs]
            out[str(path)] = (summarise(results), results)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--url")
    ap.add_argument("--out", type=Path, default=Path("results/answers"))
    ap.add_argument("--gate", type=float, default=None,
                    help="exit 1 when a set's answer correctness is below this percentage")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = False
    all_results = []
    for path, (summary, results) in evaluate(args.paths, args.url).items():
        name = Path(path).stem
        all_results += results
        print(f"{name}: answers right {summary['right']}/{summary['answers']} = "
              f"{summary['answer_correctness']}% (conversations {summary['conversations_right']}%) "
              f"by kind {summary['by_kind']}")
        (args.out / f"{name}.json").write_text(json.dumps(
            {"summary": summary, "wrong": [asdict(r) for r in results if not r.ok]},
            ensure_ascii=False, indent=1), encoding="utf-8")
        if args.gate is not None and (summary["answer_correctness"] or 0) < args.gate:
            failed = True
    if len(args.paths) > 1:
        total = summarise(all_results)
        print(f"all sets: answers right {total['right']}/{total['answers']} = "
              f"{total['answer_correctness']}%")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
