"""Safety rule layer: the red-flag rules decide, on every message, before dialogue.

Runs last in the NLU pipeline. A red flag or emergency found by the rules in
`actions.lib.red_flags` overrides whatever the intent classifier said (also in
the middle of a treatment question), so safety never depends on the classifier
alone. Negated mentions ("ik heb geen koorts") and hypotheticals ("wie bel ik
als ik koorts krijg?") never raise an alarm, even if the classifier thinks so.
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

from actions.lib.red_flags import assess

logger = logging.getLogger(__name__)

SAFETY_INTENTS = ("emergency", "red_flag")
CALM_INTENT = "ask_complication_contact"
# A sign mentioned as a "what if" with one of these classifier intents is a
# question about whom to call for a complication.
CALM_CANDIDATES = ("nlu_fallback", "out_of_scope", "ask_contact", "request_human")


def decide_intent(level: str, has_negated: bool, top: str, confidence: float,
                  ranking: List[Dict[str, Any]], keep_threshold: float) -> str | None:
    """The intent the safety rules impose, or None to keep the classifier's.

    level: what the rules found (emergency, red_flag, hypothetical, none).
    """
    if level in SAFETY_INTENTS:
        return level
    if top not in SAFETY_INTENTS:
        if level == "hypothetical" and top in CALM_CANDIDATES:
            return CALM_INTENT
        return None
    # The classifier raised an alarm the rules do not confirm.
    if level == "hypothetical":
        return CALM_INTENT
    if has_negated or confidence < keep_threshold:
        for candidate in ranking:
            if candidate.get("name") not in SAFETY_INTENTS:
                return candidate.get("name")
        return "nlu_fallback"
    return None  # unconfirmed but confident: a false alarm is safer than a miss


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class SafetyRuleLayer(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Keep a classifier-only alarm (no rule sign found) above this confidence.
        return {"keep_classifier_alarm_above": 0.7}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyRuleLayer":
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        result = assess(text)
        intent = message.get(INTENT) or {}
        ranking = message.get(INTENT_RANKING_KEY) or []
        imposed = decide_intent(
            result.level,
            # evidence against a classifier-only alarm: "geen koorts", "37,2 graden",
            # "mijn wangen zijn rood sinds de injectie" (cortisone), "hoofdpijn is weg"
            bool(result.negated or result.benign),
            intent.get("name") or "",
            float(intent.get("confidence") or 0.0),
            ranking,
            self._config["keep_classifier_alarm_above"],
        )
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
        logger.info(
            "safety rules set intent %s (classifier said %s; signs %s)",
            imposed, intent.get("name"), ",".join(result.signs) or "-",
        )
