"""Answers every leaflet question for the treatment the patient means, or asks which one."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_contact import CONTACT_TOPICS, answer_contact
from actions.action_triage import answer_complication_contact
from actions.lib.answers import choose_response
from actions.lib.clock import utc_now
from actions.lib.vocabulary import LOCATION_LABELS, TREATMENT_LABELS

logger = logging.getLogger(__name__)

NOT_QUESTIONS = {"ask_contact", "ask_appointment", "ask_complication_contact", "ask_capabilities"}


def topic_of(intent: str) -> str | None:
    if intent.startswith("ask_") and intent not in NOT_QUESTIONS:
        return intent[len("ask_"):]
    return None


class ActionAnswerQuestion(Action):
    clock = staticmethod(utc_now)

    def name(self) -> Text:
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        treatment = tracker.get_slot("treatment")
        location = tracker.get_slot("location")
        topic = topic_of(intent) or tracker.get_slot("topic")

        if topic is None:
            # "het gaat om dry needling" before any question: confirm and invite one.
            if intent == "inform_location" and location:
                dispatcher.utter_message(
                    response="utter_location_noted", location_label=LOCATION_LABELS[location]
                )
            elif treatment:
                dispatcher.utter_message(
                    response="utter_treatment_noted", treatment_label=TREATMENT_LABELS[treatment]
                )
            else:
                dispatcher.utter_message(response="utter_fallback")
            return []

        if topic in CONTACT_TOPICS:
            answer_contact(dispatcher, topic, treatment, location, self.clock())
            return [SlotSet("topic", topic)]
        if topic == "complication_contact":
            answer_complication_contact(dispatcher, treatment, location, self.clock(),
                                        signs=tracker.get_slot("safety_signs"))
            return [SlotSet("topic", topic)]

        choice = choose_response(topic, treatment, domain.get("responses", {}).keys())
        dispatcher.utter_message(
            response=choice.response,
            treatment_label=TREATMENT_LABELS.get(treatment or "", ""),
        )
        logger.info("answered topic=%s treatment=%s with %s", topic, treatment, choice.response)
        return [SlotSet("topic", topic)]
