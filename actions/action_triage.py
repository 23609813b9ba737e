"""Safety triage: a red flag or emergency gets the right phone line at once, never a question first.

Order of every safety answer: (emergency) call the emergency number now; one line why this needs a
call; the right line(s) with live open/closed status; the out-of-hours route if
closed; and only then, if the treatment is unknown, a question to narrow it down.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lib import clinics
from actions.lib.clock import utc_now
from actions.lib.phone_lines import describe_lines, out_of_hours_routes
from actions.lib.conversation import answer_beside_alarm
from actions.lib.treatments import registry

logger = logging.getLogger(__name__)

BLADDER_BOWEL = {"incontinence", "urination_difficulty"}
# Signs with their own one-line reason in domain.yml (utter_red_flag_reason__<sign>).
REASONED_SIGNS = {
    "fever", "infection_signs", "bleeding", "increasing_pain", "loss_of_strength",
    "loss_of_feeling", "headache_neck_pain", "urination_difficulty", "incontinence",
}


def safety_plan(level: str, signs: List[str], treatment: str | None) -> Dict[str, Any]:
    """What a safety answer consists of, as response names (plain, testable).

    level: emergency, red_flag or calm (a question about what to do *if*, or the
    treatment named after a safety answer, to narrow the line down).
    before: sent before the lines; with_lines: rows after the lines (the rest of
    the labelled list); after: after the out-of-hours route.
    """
    plan: Dict[str, Any] = {"before": [], "with_lines": [], "after": [],
                            "ask_treatment": treatment is None}
    if level == "emergency":
        plan["before"].append("utter_emergency_call_now")
    elif level == "red_flag":
        reasoned = [s for s in signs if s in REASONED_SIGNS]
        plan["before"].append(
            f"utter_red_flag_reason__{reasoned[0]}" if reasoned else "utter_red_flag_reason"
        )
    elif treatment is None:
        # with a known treatment, its own line below says whom to contact
        plan["before"].append("utter_complication_contact_intro")
    # whom to call: the treatment registry's escalation (config/treatments.yml)
    t = registry().get(treatment)
    if t is None:
        plan["with_lines"].append("utter_unknown_treatment_gp")
        return plan
    escalation = t.escalation
    if BLADDER_BOWEL & set(signs) and "bladder_bowel" in escalation:
        # a "what if" question gets the same urgency as a condition, not as an alarm
        plan["before"].append(escalation["bladder_bowel"] if level != "calm"
                              else escalation.get("bladder_bowel_if", escalation["bladder_bowel"]))
    response = next((escalation[s] for s in signs if s in escalation), escalation["default"])
    # a treatment without a clinic line: the therapist or GP after the (empty) lines
    plan["after" if not t.lines else "before"].append(response)
    return plan


def _record_event(intent: str, level: str, signs: List[str], treatment: str | None,
                  location: str | None, line_ids: List[str]) -> None:
    """Count and log a safety event for staff review: no message text, ever."""
    event = {
        "time": utc_now().isoformat(timespec="seconds"),
        "intent": intent, "level": level, "signs": signs,
        "treatment": treatment, "location": location, "lines": line_ids,
    }
    logger.info("safety event %s", json.dumps(event))
    path = Path(os.environ.get("SAFETY_EVENTS_FILE", "var/safety_events.jsonl"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")
    except OSError:
        logger.exception("could not write the safety event log")


def send_safety_answer(dispatcher: CollectingDispatcher, level: str, signs: List[str],
                       treatment: str | None, location: str | None, now: datetime) -> List[str]:
    plan = safety_plan(level, signs, treatment)
    for response in plan["before"]:
        dispatcher.utter_message(response=response)
    lines = clinics.lines_for(treatment, location)
    if lines:
        dispatcher.utter_message(
            response="utter_safety_lines",
            lines=describe_lines(lines, now, label_treatments=treatment is None),
        )
    for response in plan["with_lines"]:
        dispatcher.utter_message(response=response)
    if lines:
        closed = out_of_hours_routes(lines, now)
        if closed:
            dispatcher.utter_message(response="utter_safety_closed", routes=closed)
    for response in plan["after"]:
        dispatcher.utter_message(response=response)
    if plan["ask_treatment"]:
        dispatcher.utter_message(response="utter_ask_treatment_after_safety")
    return [line.id for line in lines]


def answer_complication_contact(dispatcher: CollectingDispatcher, treatment: str | None,
                                location: str | None, now: datetime,
                                signs: List[str] | None = None) -> None:
    """The line(s) for a complication, calmly: after a "what if" question, or when
    the patient names the treatment after a safety answer (signs: that answer's)."""
    # signs of an earlier alarm keep their urgency (bladder or bowel loss after a facet
    # treatment: "dit is spoed"); a what-if question gets the conditional wording
    send_safety_answer(dispatcher, "followup" if signs else "calm", list(signs or []),
                       treatment, location, now)


class ActionTriage(Action):
    clock = staticmethod(utc_now)

    def name(self) -> Text:
        return "action_triage"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        parse = tracker.latest_message or {}
        intent = (parse.get("intent") or {}).get("name") or ""
        # The verdict of the NLU pipeline's safety layer (addons/safety_layer.py): the
        # message is assessed once, there; this action does not assess it again.
        verdict = parse.get("safety") or {}
        treatment = tracker.get_slot("treatment")
        location = tracker.get_slot("location")
        if intent == "emergency" or verdict.get("level") == "emergency":
            level = "emergency"
        elif intent == "red_flag":
            level = "red_flag"
        else:
            level = "calm"
        # For a "what if" question the signs are only mentioned hypothetically; they
        # still choose the line (fever after a triggerpoint injectie: specialist or GP).
        signs = list(verdict.get("signs") or []) or list(verdict.get("hypothetical") or [])
        now = self.clock()
        line_ids = send_safety_answer(dispatcher, level, signs, treatment, location, now)
        _record_event(intent, level, signs, treatment, location, line_ids)
        if level == "red_flag":
            # then whatever else the patient asked in the same message
            for reply in answer_beside_alarm(parse, treatment, location, now).replies:
                if reply.response:
                    dispatcher.utter_message(response=reply.response, buttons=reply.buttons or [],
                                             **reply.variables)
                else:
                    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or [])
        # the signs of an alarm are remembered, so that naming the treatment afterwards
        # narrows the line for them; a what-if question's signs are not an alarm
        return [SlotSet("safety_status", "answered"), SlotSet("topic", "complication_contact"),
                SlotSet("safety_signs", signs if level != "calm" else [])]
