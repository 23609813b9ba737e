"""Offline check of retrieval + answer choice on question sets, without Rasa (fast loop
for developers; the real figure is `python -m qa.answer_eval` over HTTP).

Simulates each conversation: entities from the vocabulary extractor, the intent taken as
a question when the text looks like one, the retriever trained on the answer library.
"""
from __future__ import annotations

import argparse
import glob
import sys
from datetime import datetime, timezone
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actions.lib.answer_library import library  # noqa: E402
from actions.lib.conversation import respond  # noqa: E402
from actions.lib.retrieval import NONE, TopicRetriever, looks_like_question, question_segments  # noqa: E402
from actions.lib.vocabulary import find_entities  # noqa: E402
from qa.answer_eval import check  # noqa: E402

_DOMAIN = None


def render_response(name: str, variables: dict) -> str:
    """A domain.yml response with its variables and the clinic placeholders filled."""
    global _DOMAIN
    if _DOMAIN is None:
        _DOMAIN = yaml.safe_load(open("domain.yml", encoding="utf-8"))["responses"]
    from actions.lib.clinics import template_variables
    text = _DOMAIN.get(name, [{"text": f"<{name}>"}])[0].get("text", "")
    for key, value in {**template_variables(), **variables}.items():
        text = text.replace("{" + key + "}", str(value))
    return f"<{name}> " + text


NEGATIVE_INTENTS = {"greet", "goodbye", "thank", "bot_challenge", "out_of_scope", "english",
                    "nonsense", "ask_capabilities"}


def negatives() -> list[str]:
    out = []
    for f in glob.glob("data/nlu/*.yml"):
        for item in (yaml.safe_load(open(f, encoding="utf-8")) or {}).get("nlu", []):
            if item.get("intent") in NEGATIVE_INTENTS:
                out += [l[2:].strip() for l in item["examples"].splitlines() if l.strip().startswith("- ")]
    return out


def train(c: float, method: str = "knn") -> TopicRetriever:
    ex = library().examples()
    neg = negatives()
    return TopicRetriever(c=c, method=method).fit([q for q, _ in ex] + neg, [u for _, u in ex] + [NONE] * len(neg))


def simulate(retriever, conv, now):
    slots = {"treatment": None, "location": None, "topic": None, "medication": None}
    results = []
    for turn in conv.get("turns") or []:
        text = turn.get("user") or ""
        ents = [f.as_rasa_entity() for f in find_entities(text)]
        for e in ents:
            if e["entity"] in ("treatment", "location", "medication"):
                slots[e["entity"]] = e["value"]
        segs = question_segments(text)
        parse = {"text": text, "entities": ents, "answer_topics": {
            "ranking": retriever.rank_message(text, k=15),
            "questions": [retriever.rank_message(s, k=10) for s in segs] if len(segs) > 1 else [],
            "is_question": looks_like_question(text)}}
        ranking = parse["answer_topics"]["ranking"]
        strong = bool(ranking) and ranking[0][0] != NONE and ranking[0][1] >= 0.6
        intent = "ask_question" if looks_like_question(text) or strong else (
            "inform_treatment" if ents else "other")
        plan = respond(intent, parse, slots["treatment"], slots["location"], slots["topic"], now,
                       medication=slots["medication"])
        if plan.topic:
            slots["topic"] = plan.topic
        reply = "\n".join(r.text or render_response(r.response, r.variables) for r in plan.replies)
        if turn.get("expect"):
            results.append((text, reply, check(reply, turn["expect"])))
    return results


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--c", type=float, default=20.0)
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--method", default="knn")
    ap.add_argument("--min-score", type=float, default=None)
    args = ap.parse_args()
    retriever = train(args.c, args.method)
    if args.min_score is not None:
        import actions.lib.answers as answers
        answers.MIN_SCORE = args.min_score
        answers.choose.__defaults__ = (None, args.min_score)
    now = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)
    total = ok = 0
    shown = 0
    for path in args.paths:
        t = o = 0
        for conv in yaml.safe_load(open(path, encoding="utf-8")):
            for text, reply, problems in simulate(retriever, conv, now):
                t += 1
                o += not problems
                if problems and shown < args.show:
                    shown += 1
                    print(f"--- {conv['id']} {conv.get('kind')} | {text[:100]}\n    {problems}\n    {reply[:300]!r}")
        print(f"{Path(path).stem}: {o}/{t} = {100 * o / max(t, 1):.1f}%")
        total += t
        ok += o
    print(f"all: {ok}/{total} = {100 * ok / max(total, 1):.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
