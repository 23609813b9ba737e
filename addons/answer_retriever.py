"""Rasa glue for retrieval over the answer library (logic: actions/lib/retrieval.py).

Trains a topic retriever on the library's questions (intent `ask_question`, attribute
`answer_unit`) plus the other intents' examples as "no leaflet question". On every
message it adds `answer_topics` to the parse data: the topic ranking of the whole message,
one ranking per question in it, and whether it is a question at all. The answer action
and the triage action read it; nothing is recomputed there.

It also keeps a question from being dropped: a message the intent classifier reads as a
greeting, as naming a treatment, or does not understand, but that asks a leaflet question
the retriever recognises, becomes `ask_question`.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.lib.retrieval import NONE, TopicRetriever, looks_like_question, question_segments

logger = logging.getLogger(__name__)
QUESTION_INTENT = "ask_question"
TOPIC_KEY = "answer_unit"
OUTPUT_KEY = "answer_topics"
WARM_UP_TEXT = "Hallo. Hoe lang duurt de behandeling en mag ik daarna autorijden?"


# Without a question form, only a message this close to a known question counts as one
# ("de prik in mijn spier zit ik dan of lig ik").
STRONG_MATCH = 0.6
STATEMENT_OVERRIDABLE = ("nlu_fallback", "inform_treatment", "inform_location", "out_of_scope")


def decide_question_intent(intent: str, is_question: bool, top_topic: str, top_score: float,
                           overridable: List[str], threshold: float) -> bool:
    """True when the message should count as a leaflet question although the intent
    classifier said something else (plain policy, tested without Rasa)."""
    if intent not in overridable or top_topic == NONE:
        return False
    if is_question:
        return top_score >= threshold
    return intent in STATEMENT_OVERRIDABLE and top_score >= STRONG_MATCH


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class AnswerRetriever(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 20.0,
            # intents whose examples teach "this is not a leaflet question"
            "negative_intents": ["greet", "goodbye", "thank", "bot_challenge", "out_of_scope",
                                 "english", "nonsense", "affirm", "deny", "ask_capabilities"],
            # intents a recognised leaflet question overrides
            # ("english": a Dutch leaflet question with English words in it is answered,
            # in Dutch, rather than refused)
            "overridable_intents": ["greet", "goodbye", "thank", "inform_treatment",
                                    "inform_location", "nlu_fallback", "out_of_scope",
                                    "bot_challenge", "ask_capabilities", "affirm", "deny",
                                    "english"],
            "override_threshold": 0.45,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, retriever: TopicRetriever | None = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._retriever = retriever or TopicRetriever(c=config["C"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AnswerRetriever":
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        negatives = set(self._config["negative_intents"])
        for m in training_data.intent_examples:
            if m.get(TOPIC_KEY):
                texts.append(m.get(TEXT))
                labels.append(m.get(TOPIC_KEY))
            elif m.get(INTENT) in negatives:
                texts.append(m.get(TEXT))
                labels.append(NONE)
        if len(set(labels)) > 1:
            self._retriever.fit(texts, labels)
            with self._storage.write_to(self._resource) as directory:
                (directory / "retriever.pkl").write_bytes(self._retriever.to_bytes())
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "AnswerRetriever":
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                retriever = TopicRetriever.from_bytes((directory / "retriever.pkl").read_bytes())
        except (ValueError, FileNotFoundError):
            logger.warning("answer retriever not trained: no topic rankings")
            retriever = None
        component = cls(config, model_storage, resource, retriever)
        # Warm-up before the server takes traffic: the synonym groups and the vectoriser
        # load on first use (the first message would wait for them).
        component._process_one(Message.build(text=WARM_UP_TEXT))
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if not text.strip() or self._retriever.model is None:
            return
        segments = question_segments(text)
        # the questions alone, without the sentence before them: what triage answers
        # beside an alarm ("ik heb koorts sinds de prik. Mag ik autorijden?")
        bare_segments = question_segments(text, context=False)
        # one featurisation for the message and its questions (often the same text)
        ranked = self._retriever.rank_many([text] + segments + bare_segments, k=15)
        ranking = ranked[0]
        questions = [r[:10] for r in ranked[1:1 + len(segments)]]
        bare = [r[:10] for r in ranked[1 + len(segments):]]
        is_question = looks_like_question(text)
        message.set(OUTPUT_KEY, {
            "ranking": [[t, round(p, 4)] for t, p in ranking],
            "questions": [[[t, round(p, 4)] for t, p in r] for r in questions],
            "bare_questions": [[[t, round(p, 4)] for t, p in r] for r in bare],
            "is_question": is_question,
        }, add_to_output=True)
        intent = message.get(INTENT) or {}
        top_topic, top_score = ranking[0]
        if decide_question_intent(intent.get("name") or "", is_question, top_topic, top_score,
                                  self._config["overridable_intents"],
                                  self._config["override_threshold"]):
            new = {"name": QUESTION_INTENT, "confidence": top_score}
            rest = [c for c in message.get(INTENT_RANKING_KEY) or [] if c.get("name") != QUESTION_INTENT]
            message.set(INTENT, new, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [new] + rest, add_to_output=True)
