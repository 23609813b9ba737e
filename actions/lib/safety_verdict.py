"""The safety verdict for one message: the rulebook (actions/lib/red_flags.py) and a
classifier that learned from the red-flag corpora, combined.

- The rules decide when they find a sign: an alarm with its level and signs, or a
  reasoned "no" (denied, over, before the treatment, someone else's, expected). The
  classifier never overrules a reasoned "no", nor adds an alarm to a message whose
  writer gives such context anywhere ("de hoofdpijn is al weg").
- When the rules find no sign at all but the message does talk about the body (a sign
  word such as a limb, the puncture site, pain, urine), a confident classifier raises a
  red flag (the clinic line, never the emergency number): words nobody wrote a rule for
  still get help.
  Text with no sign word at all (an address, a birth date) never gets a classifier alarm.

Plain Python (scikit-learn); the Rasa glue is addons/safety_layer.py. The verdict is
computed once, in the NLU pipeline, and passed to the triage action in the parse data.
"""
from __future__ import annotations

import pickle
from dataclasses import asdict, dataclass, field

from actions.lib.red_flags import Assessment

# A classifier-only alarm needs at least this probability of "alarm" (measured on the
# blind corpora: docs/safety.md, "classifier threshold").
CLASSIFIER_THRESHOLD = 0.8
LABELS = ("emergency", "red_flag", "none")


@dataclass
class Verdict:
    level: str                        # emergency | red_flag | hypothetical | none
    signs: list = field(default_factory=list)
    hypothetical: list = field(default_factory=list)
    situations: dict = field(default_factory=dict)
    temperature: float | None = None
    third_person: bool = False
    source: str = "rules"             # rules | classifier
    p_alarm: float = 0.0

    @property
    def is_alarm(self) -> bool:
        return self.level in ("emergency", "red_flag")

    def as_dict(self) -> dict:
        return asdict(self)


def combine(a: Assessment, p_alarm: float, threshold: float = CLASSIFIER_THRESHOLD) -> Verdict:
    base = dict(signs=list(a.signs), hypothetical=list(a.hypothetical),
                situations=dict(a.situations), temperature=a.temperature,
                third_person=a.third_person, p_alarm=round(float(p_alarm), 3))
    if a.is_alarm:
        return Verdict(level=a.level, source="rules", **base)
    reasoned_no = bool(a.negated or a.hypothetical or a.benign or a.situations or a.context)
    if not reasoned_no and a.sign_words and p_alarm >= threshold:
        return Verdict(level="red_flag", source="classifier", **base)
    return Verdict(level=a.level, source="rules", **base)


class SafetyClassifier:
    """Message -> probability that it reports a complication now (any sign)."""

    def __init__(self, model=None) -> None:
        self.model = model

    def fit(self, texts: list[str], labels: list[str]) -> "SafetyClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        from actions.lib.retrieval import delexicalise
        self.model = Pipeline([
            ("features", FeatureUnion([
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                          token_pattern=r"(?u)\b\w+\b")),
            ])),
            ("clf", LogisticRegression(C=10, max_iter=3000, class_weight="balanced")),
        ])
        self.model.fit([delexicalise(t) for t in texts], labels)
        return self

    def p_alarm(self, text: str) -> float:
        if self.model is None:
            return 0.0
        from actions.lib.retrieval import delexicalise
        probs = self.model.predict_proba([delexicalise(text)])[0]
        classes = list(self.model.classes_)
        return float(1.0 - probs[classes.index("none")]) if "none" in classes else 0.0

    def to_bytes(self) -> bytes:
        return pickle.dumps(self.model)

    @classmethod
    def from_bytes(cls, data: bytes) -> "SafetyClassifier":
        from actions.lib.retrieval import fast_weight_layout
        model = pickle.loads(data)
        fast_weight_layout(getattr(model, "named_steps", {}).get("clf"))
        return cls(model)
