"""Phone lines for questions, appointments and "I want a person", with live opening hours."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lib import clinics
from actions.lib.clock import utc_now
from actions.lib.phone_lines import describe_lines, out_of_hours_routes
from actions.lib.vocabulary import FACET_TREATMENTS

INTENT_TOPICS = {"ask_contact": "contact", "ask_appointment": "appointment", "request_human": "human"}
CONTACT_TOPICS = set(INTENT_TOPICS.values())


def _family(treatment: str | None) -> str | None:
    if treatment in FACET_TREATMENTS:
        return "facet"
    if treatment in ("dry_needling", "triggerpointtherapie"):
        return "therapy"
    return treatment


def answer_contact(dispatcher: CollectingDispatcher, topic: str, treatment: str | None,
                   location: str | None, now: datetime) -> None:
    family = _family(treatment)
    if topic == "appointment":
        intro = f"utter_appointment__{family}" if family else "utter_appointment"
        dispatcher.utter_message(response=intro)
    elif topic == "human":
        dispatcher.utter_message(response="utter_human_intro")
    lines = clinics.lines_for(treatment, location)
    if not lines:
        dispatcher.utter_message(response="utter_contact_no_line")
        return
    dispatcher.utter_message(
        response="utter_contact_lines",
        lines=describe_lines(lines, now, label_treatments=treatment is None),
    )
    closed = out_of_hours_routes(lines, now)
    if closed:
        dispatcher.utter_message(response="utter_contact_closed", routes=closed)


class ActionContact(Action):
    clock = staticmethod(utc_now)

    def name(self) -> Text:
        return "action_contact"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        topic = INTENT_TOPICS.get(intent, "contact")
        answer_contact(
            dispatcher, topic, tracker.get_slot("treatment"), tracker.get_slot("location"),
            self.clock(),
        )
        return [SlotSet("topic", topic)]
