"""Safety layer: the red-flag verdict on every message, before dialogue (Rasa glue).

Runs last in the NLU pipeline. The verdict (actions/lib/safety_verdict.py) combines the
rulebook (config/safety/) with a classifier trained here on every red-flag corpus and
the alarm examples; it overrides whatever the intent classifier said (also in the middle
of a treatment question), so safety never depends on the intent classifier. The verdict
is stored in the parse data (`safety`) so that the triage action answers from the same
verdict instead of assessing again (and the action server needs no language pipeline).
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

from actions.lib.red_flags import assess, warm_up
from actions.lib.safety_verdict import CLASSIFIER_THRESHOLD, SafetyClassifier, combine

logger = logging.getLogger(__name__)

SAFETY_INTENTS = ("emergency", "red_flag")
CALM_INTENT = "ask_complication_contact"
# A sign mentioned as a "what if" with one of these classifier intents is a
# question about whom to call for a complication.
CALM_CANDIDATES = ("nlu_fallback", "out_of_scope", "ask_contact", "request_human")
OUTPUT_KEY = "safety"
WARM_UP_TEXT = "ik heb koorts en de prikplek is rood sinds de injectie"
SAFETY_KEY = "safety_label"


# Situations whose leaflet answer the patient needs (fever before the treatment: may it
# go ahead; a numb leg in the first hours: the expected course and when to call).
ANSWERED_SITUATIONS = ("pre_treatment", "expected")
QUESTION_INTENT = "ask_question"


def decide_intent(level: str, top: str, ranking: List[Dict[str, Any]],
                  situations: Dict[str, str] | None = None) -> str | None:
    """The intent the safety verdict imposes, or None to keep the classifier's.

    level: the verdict (emergency, red_flag, hypothetical, none). An alarm is imposed; a
    classifier's alarm that the verdict does not confirm is replaced by the next intent;
    a sign explained by a situation with a leaflet answer becomes a question.
    """
    if level in SAFETY_INTENTS:
        return level
    if any(s in ANSWERED_SITUATIONS for s in (situations or {}).values()):
        return QUESTION_INTENT
    if level == "hypothetical" and (top in CALM_CANDIDATES or top in SAFETY_INTENTS):
        return CALM_INTENT
    if top in SAFETY_INTENTS:
        for candidate in ranking:
            if candidate.get("name") not in SAFETY_INTENTS:
                return candidate.get("name")
        return "nlu_fallback"
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SafetyRuleLayer(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # A classifier-only alarm (the rules found no sign) above this probability; the
        # value is measured on the blind corpora (docs/safety.md).
        return {"classifier_threshold": CLASSIFIER_THRESHOLD}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, classifier: SafetyClassifier | None = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._classifier = classifier or SafetyClassifier()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyRuleLayer":
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for m in training_data.training_examples:
            text = m.get(TEXT)
            if not text:
                continue
            if m.get(SAFETY_KEY):
                texts.append(text)
                labels.append(m.get(SAFETY_KEY))
            elif m.get(INTENT):
                intent = m.get(INTENT)
                texts.append(text)
                labels.append(intent if intent in SAFETY_INTENTS else "none")
        if len(set(labels)) > 1:
            self._classifier.fit(texts, labels)
            with self._storage.write_to(self._resource) as directory:
                (directory / "safety_classifier.pkl").write_bytes(self._classifier.to_bytes())
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyRuleLayer":
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                classifier = SafetyClassifier.from_bytes(
                    (directory / "safety_classifier.pkl").read_bytes())
        except (ValueError, FileNotFoundError):
            logger.warning("safety classifier not trained: the rules decide alone")
            classifier = None
        component = cls(config, model_storage, resource, classifier)
        # Warm-up before the server takes traffic: the rulebook, the Dutch pipeline and
        # the classifier load on first use (the first message would wait for them).
        warm_up()
        component._process_one(Message.build(text=WARM_UP_TEXT))
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        assessment = assess(text)
        p_alarm = self._classifier.p_alarm(text) if assessment.sign_words else 0.0
        verdict = combine(assessment, p_alarm, self._config["classifier_threshold"])
        message.set(OUTPUT_KEY, verdict.as_dict(), add_to_output=True)
        intent = message.get(INTENT) or {}
        ranking = message.get(INTENT_RANKING_KEY) or []
        imposed = decide_intent(verdict.level, intent.get("name") or "", ranking,
                                verdict.situations)
        if imposed is None or imposed == intent.get("name"):
            return
        confidence = 1.0
        for candidate in ranking:
            if candidate.get("name") == imposed and imposed not in SAFETY_INTENTS \
                    and imposed != CALM_INTENT:
                confidence = candidate.get("confidence", 1.0)
        new = {"name": imposed, "confidence": confidence}
        ranking = [new] + [c for c in ranking if c.get("name") != imposed]
        message.set(INTENT, new, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        logger.info("safety verdict set intent %s (classifier said %s; signs %s; by %s)",
                    imposed, intent.get("name"), ",".join(verdict.signs) or "-", verdict.source)
