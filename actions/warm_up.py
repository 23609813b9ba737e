"""Warm-up of the action server before it says it is ready (docs/benchmark.md, "First reply").

rasa_sdk imports every module of the ``actions`` package when the action server starts
(``python -m rasa_sdk --actions actions``), before ``/health`` answers; this module is
one of them. It runs the answer and contact actions once on a made-up conversation and
the triage answer without its safety log, so the answer library, the synonym groups,
the clinic calendar with its holidays, the treatment registry and every leaflet's
concept table are loaded before the first patient instead of during the first answers
(about 2 s on an idle machine, 10-20 s on a busy one). Nothing is stored or logged for it: ``action_triage`` itself, which
writes the safety log, is not run. It never stops the server: a failure is a warning.
Importing this module elsewhere (a test) does the same, harmlessly.
"""
from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def _tracker(intent: str, text: str, ranking: list | None = None, **slots):
    from rasa_sdk import Tracker

    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    if ranking is not None:
        latest["answer_topics"] = {"ranking": ranking, "questions": [ranking],
                                   "bare_questions": [ranking], "is_question": True}
    return Tracker.from_dict({
        "sender_id": "warm-up", "slots": {"treatment": None, "location": None, "topic": None,
                                          "medication": None, "safety_status": None,
                                          "safety_signs": None, **slots},
        "latest_message": latest, "events": [], "paused": False, "followup_action": None,
        "active_loop": {}, "latest_action_name": "action_listen",
    })


def warm_up() -> float:
    """Run the actions once; returns the seconds it took."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.action_answer_question import ActionAnswerQuestion
    from actions.action_contact import ActionContact
    from actions.action_triage import send_safety_answer
    from actions.lib.answer_library import library
    from actions.lib.answers import prepare_concepts
    from actions.lib.treatments import registry
    from actions.lib.clock import utc_now

    t0 = time.perf_counter()
    unit = library().units[0]
    treatment = next((t for t in unit.treatments if t != "general"), None)
    ranking = [[unit.id, 0.9]]
    for tracker in (_tracker("ask_question", unit.questions[0], ranking, treatment=treatment),
                    _tracker("ask_question", unit.questions[0], ranking)):
        ActionAnswerQuestion().run(CollectingDispatcher(), tracker, {})
    ActionContact().run(CollectingDispatcher(), _tracker("ask_contact", "wie bel ik?"), {})
    send_safety_answer(CollectingDispatcher(), "red_flag", [], treatment, None, utc_now())
    # every leaflet's concept table, not only the one the made-up question used
    prepare_concepts(library(), registry().treatments)
    return time.perf_counter() - t0


try:
    logger.info("action server warmed up in %.1f s", warm_up())
except Exception as error:  # noqa: BLE001 - a warm-up must never keep the server down
    logger.warning("action server warm-up failed (%s: %s); the first answers will be slower",
                   type(error).__name__, error)
