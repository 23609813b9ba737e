"""Answers leaflet questions for the treatment the patient means (logic:
actions/lib/conversation.py), re-answers after a switch, or asks which treatment."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.action_triage import answer_complication_contact
from actions.lib.clock import utc_now
from actions.lib.conversation import Plan, respond

# Set by action_triage after a safety answer: naming the treatment then narrows the line
# for the same signs (bladder or bowel loss after a facet treatment stays urgent).
SAFETY_TOPIC = "complication_contact"

logger = logging.getLogger(__name__)


def send(dispatcher: CollectingDispatcher, plan: Plan) -> None:
    for reply in plan.replies:
        if reply.response:
            dispatcher.utter_message(response=reply.response, buttons=reply.buttons or [],
                                     **reply.variables)
        else:
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons or [])


class ActionAnswerQuestion(Action):
    clock = staticmethod(utc_now)

    def name(self) -> Text:
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        parse = tracker.latest_message or {}
        intent = (parse.get("intent") or {}).get("name") or ""
        if intent in ("inform_treatment", "inform_location") and \
                tracker.get_slot("topic") == SAFETY_TOPIC and tracker.get_slot("safety_signs"):
            answer_complication_contact(dispatcher, tracker.get_slot("treatment"),
                                        tracker.get_slot("location"), self.clock(),
                                        signs=tracker.get_slot("safety_signs"))
            return []
        plan = respond(intent, parse, tracker.get_slot("treatment"), tracker.get_slot("location"),
                       tracker.get_slot("topic"), self.clock(),
                       medication=tracker.get_slot("medication"))
        send(dispatcher, plan)
        logger.info("answered intent=%s topic=%s units=%s", intent, plan.topic,
                    ",".join(plan.answered_units) or "-")
        return [SlotSet("topic", plan.topic)] if plan.topic else []
