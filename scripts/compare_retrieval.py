"""Compare two ways of picking the answer unit, on question sets, under the SAME dialogue
logic (actions/lib/conversation.py) and the same content scorer (qa/):

- `retriever`: the project's AnswerRetriever (actions/lib/retrieval.py: n-gram features,
  SVM order, nearest-question similarity as confidence, treatment names delexicalised,
  synonym groups);
- `response_selector`: Rasa's own ResponseSelector with retrieval intents
  (`question/<unit id>`, the way RasaHQ/rasa-demo answers its FAQ), trained with the
  project's tokenizer and featurizers on the same example questions.

Both run offline (no dialogue policy, no action server): each conversation is simulated as
scripts/offline_answers.py does (entities from the vocabulary, a question when the text
looks like one), so the only difference is the unit ranking.

    python scripts/compare_retrieval.py tests/answers/blind2_b4.yml [--epochs 60]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actions.lib.answer_library import library  # noqa: E402
from scripts.offline_answers import negatives, simulate, train  # noqa: E402

CONFIG = """
recipe: default.v1
language: nl
pipeline:
  - name: addons.dutch_tokenizer.DutchSpacyTokenizer
    model: nl_core_news_sm
  - name: CountVectorsFeaturizer
    min_ngram: 1
    max_ngram: 2
  # the vocabulary is capped: uncapped char n-grams made one epoch take minutes on 2 cores
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 5
    max_features: 20000
  - name: ResponseSelector
    epochs: {epochs}
    batch_size: [64, 256]
    retrieval_intent: question
    constrain_similarities: true
    random_seed: 42
policies: []
"""


def build_project(tmp: Path, epochs: int) -> None:
    lib = library()
    nlu = ["version: \"3.1\"", "nlu:"]
    responses = ["version: \"3.1\"", "responses:"]
    for u in lib.units:
        nlu.append(f"- intent: question/{u.id}")
        nlu.append("  examples: |")
        for q in u.questions:
            nlu.append("    - " + " ".join(q.split()))
        responses.append(f"  utter_question/{u.id}:")
        responses.append("  - text: " + yaml.safe_dump(u.id, default_style='"').strip())
    neg = negatives()
    nlu.append("- intent: question/__none__")
    nlu.append("  examples: |")
    for q in neg:
        nlu.append("    - " + " ".join(q.split()))
    responses.append("  utter_question/__none__:\n  - text: \"__none__\"")
    (tmp / "data").mkdir()
    (tmp / "data" / "nlu.yml").write_text("\n".join(nlu) + "\n", encoding="utf-8")
    (tmp / "data" / "responses.yml").write_text("\n".join(responses) + "\n", encoding="utf-8")
    (tmp / "domain.yml").write_text("version: \"3.1\"\nintents:\n  - question\n", encoding="utf-8")
    (tmp / "config.yml").write_text(CONFIG.format(epochs=epochs), encoding="utf-8")


class SelectorRanker:
    """The ResponseSelector's ranking as [(unit id, confidence), ...]."""

    def __init__(self, model: str):
        from rasa.core.agent import Agent
        self.agent = Agent.load(model)
        self.loop = asyncio.new_event_loop()

    def rank_message(self, text: str, k: int = 10):
        parse = self.loop.run_until_complete(self.agent.parse_message(text))
        selector = (parse.get("response_selector") or {}).get("question") or {}
        out = []
        for r in selector.get("ranking") or []:
            key = r.get("intent_response_key", "")
            out.append((key.split("/", 1)[1] if "/" in key else key, float(r.get("confidence", 0))))
        return out[:k]

    rank = rank_message


def score(ranker, paths, now) -> dict:
    out = {}
    for path in paths:
        total = ok = 0
        for conv in yaml.safe_load(Path(path).read_text(encoding="utf-8")):
            for _text, _reply, problems in simulate(ranker, conv, now):
                total += 1
                ok += not problems
        out[Path(path).stem] = (ok, total)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--epochs", type=int, default=60)
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    now = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)
    t0 = time.time()
    ours = train(0.5, "hybrid")
    ours_train = time.time() - t0
    results = {"retriever": (score(ours, args.paths, now), ours_train)}
    with tempfile.TemporaryDirectory(prefix="rs-") as tmp:
        tmp = Path(tmp)
        build_project(tmp, args.epochs)
        from rasa.model_training import train_nlu
        t0 = time.time()
        model = train_nlu(str(tmp / "config.yml"), str(tmp / "data"), str(tmp / "models"),
                          domain=str(tmp / "domain.yml"))
        rs_train = time.time() - t0
        import actions.lib.answers as answers
        # the ResponseSelector's confidences are softmax scores, not similarities: use the
        # threshold that is best for it on these sets as well (reported)
        best = None
        ranker = SelectorRanker(model)
        for threshold in (0.05, 0.1, 0.2, 0.3, 0.5):
            answers.MIN_SCORE = threshold
            answers.choose.__defaults__ = (None, threshold, ())
            got = score(ranker, args.paths, now)
            total = sum(ok for ok, _ in got.values())
            if best is None or total > best[0]:
                best = (total, threshold, got)
        results[f"response_selector (threshold {best[1]})"] = (best[2], rs_train)
    for name, (got, seconds) in results.items():
        ok = sum(a for a, _ in got.values())
        n = sum(b for _, b in got.values())
        per = ", ".join(f"{k} {100 * a / b:.1f}%" for k, (a, b) in got.items())
        print(f"{name}: {ok}/{n} = {100 * ok / n:.1f}% ({per}); training {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
