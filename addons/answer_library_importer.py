"""Training data importer: the project's Rasa files plus two sources kept elsewhere.

- The example questions of every answer unit (data/answers/*.yml) become NLU examples of
  the intent `ask_question`, each carrying its unit's id (`answer_unit`), so that the
  intent classifier learns what a leaflet question looks like and the answer retriever
  (addons/answer_retriever.py) learns which unit answers each one.
- The red-flag corpora (tests/safety/*.yml, every message labelled emergency / red_flag
  / no alarm by a writer) become examples with a `safety_label` and no intent, so that
  the safety layer's classifier (addons/safety_layer.py) learns from all of them while
  the intent classifier does not see them.
The data lives once, where people review it; Rasa's training fingerprint sees it.
Registered in config.yml under `importers:`.
"""
from __future__ import annotations

import glob
from pathlib import Path
from typing import Optional, Text

import yaml
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.lib.answer_library import library

ROOT = Path(__file__).resolve().parents[1]
QUESTION_INTENT = "ask_question"
TOPIC_KEY = "answer_unit"
SAFETY_KEY = "safety_label"
SAFETY_CORPORA = "tests/safety/*.yml"
_LEVEL = {"red_flag": "red_flag", "emergency": "emergency"}


def library_training_data(taken: frozenset = frozenset()) -> TrainingData:
    """The library's questions as `ask_question` examples. A question that is already an
    example of another intent in data/nlu (say 'ik wil een afspraak voor dry needling'
    under ask_appointment) stays with that intent: one text, one label."""
    examples = [Message(data={TEXT: question, INTENT: QUESTION_INTENT, TOPIC_KEY: unit_id})
                for question, unit_id in library().examples()
                if question.strip().lower() not in taken]
    return TrainingData(training_examples=examples)


def safety_corpus_examples(pattern: str = SAFETY_CORPORA) -> list[tuple[str, str]]:
    """(text, emergency | red_flag | none) for every message of every red-flag corpus."""
    out = []
    for path in sorted(glob.glob(str(ROOT / pattern))):
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        cases = data["cases"] if isinstance(data, dict) else data
        for c in cases or []:
            label = c.get("level") or c.get("expected") or "none"
            out.append((str(c["text"]), _LEVEL.get(label, "none")))
    return out


def safety_training_data() -> TrainingData:
    return TrainingData(training_examples=[Message(data={TEXT: text, SAFETY_KEY: label})
                                           for text, label in safety_corpus_examples()])


class AnswerLibraryImporter(RasaFileImporter):
    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        own = super().get_nlu_data(language)
        taken = frozenset(m.get(TEXT, "").strip().lower() for m in own.intent_examples
                          if m.get(INTENT) != QUESTION_INTENT)
        return (own
                .merge(library_training_data(taken))
                .merge(safety_training_data()))
