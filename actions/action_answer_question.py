"""Answers leaflet questions for the treatment the patient means (logic:
actions/lib/conversation.py), re-answers after a switch, or asks which treatment."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lib.clock import utc_now
from actions.lib.conversation import Plan, respond

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
        plan = respond(intent, parse, tracker.get_slot("treatment"), tracker.get_slot("location"),
                       tracker.get_slot("topic"), self.clock(),
                       medication=tracker.get_slot("medication"))
        send(dispatcher, plan)
        logger.info("answered intent=%s topic=%s units=%s", intent, plan.topic,
                    ",".join(plan.answered_units) or "-")
        return [SlotSet("topic", plan.topic)] if plan.topic else []
