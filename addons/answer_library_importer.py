"""Training data importer: the project's Rasa files plus the answer library's questions.

The example questions of every answer unit (data/answers/*.yml) become NLU examples of the
intent `ask_question`, each carrying its unit's id (`answer_unit`), so that
- the intent classifier learns what a leaflet question looks like, and
- the answer retriever (addons/answer_retriever.py) learns which unit answers each one.
The questions live once, next to their answer; Rasa's training fingerprint sees them.
Registered in config.yml under `importers:`.
"""
from __future__ import annotations

from typing import Optional, Text

from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.lib.answer_library import library

QUESTION_INTENT = "ask_question"
TOPIC_KEY = "answer_unit"


def library_training_data() -> TrainingData:
    examples = [Message(data={TEXT: question, INTENT: QUESTION_INTENT, TOPIC_KEY: unit_id})
                for question, unit_id in library().examples()]
    return TrainingData(training_examples=examples)


class AnswerLibraryImporter(RasaFileImporter):
    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        return super().get_nlu_data(language).merge(library_training_data())
