"""A message the assistant did not understand: say so honestly, and keep what it did understand.

"Goeiedag, ik krijg volgende week een prik in mijn spier in het gasthuis" is not a
question, but it names the treatment and the hospital. The slots are already set
from the entities; this action confirms them, so the patient knows the next
answer will be about their treatment, and asks for the question.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.lib.vocabulary import LOCATION_LABELS, TREATMENT_LABELS


LABELS = {"treatment": TREATMENT_LABELS, "location": LOCATION_LABELS}


def understood_labels(entities: List[Dict[Text, Any]]) -> List[str]:
    """Patient-readable names of the treatments and hospitals named in this message."""
    labels: List[str] = []
    for entity in entities:
        label = LABELS.get(entity.get("entity"), {}).get(entity.get("value"))
        if label and label not in labels:
            labels.append(label)
    return labels


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        labels = understood_labels(tracker.latest_message.get("entities") or [])
        if labels:
            dispatcher.utter_message(response="utter_fallback_noted", understood=", ".join(labels))
        else:
            dispatcher.utter_message(response="utter_fallback")
        return []
