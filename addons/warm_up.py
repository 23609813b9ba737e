"""Warm-up of the Rasa server before it takes traffic (docs/benchmark.md, "First reply").

Rasa loads the model in a ``before_server_start`` listener; the NLU components warm
their own lazy parts in ``load()`` (addons/safety_layer.py, addons/answer_retriever.py).
What is still cold after that is the rest of a turn: the featurizers' and the
classifier's first call, the policies' first prediction, the tracker store's first
queries and the clinic NLG's first answer. ``register()`` adds an
``after_server_start`` listener (the REST channel's blueprint calls it; every
credentials file has that channel) that runs a few made-up messages through them with
an in-memory tracker: nothing is stored, the action server is not called (it warms
itself: actions/warm_up.py). The work is synchronous, so the event loop accepts no
request until it is done: the first patient, and the readiness probe, get an answer
only from a warm server.

Finally it collects garbage once and moves everything loaded so far into the
interpreter's permanent generation (``gc.freeze()``): the model's millions of objects
are then no longer traversed by the garbage collector during a conversation, which
takes its pauses out of the replies. (A model swapped in later over the HTTP API would
keep the old model's frozen objects in memory; the project never does that, a new model
means a new server.)
"""
from __future__ import annotations

import gc
import logging
import time
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

SENDER = "__warm_up__"  # never stored: the tracker lives in memory only
MESSAGES = (
    "Hallo",
    "Mag ik na de facetinfiltratie zelf naar huis rijden?",
    "en bij dry needling?",
    "ik heb koorts sinds de infiltratie",
    "Wat voor weer wordt het morgen?",
)
NLG_RESPONSE = "utter_safety_failsafe"  # fills every clinic's line and opening status


async def warm_up_agent(agent: Any) -> float:
    """Run the made-up messages through NLU, policies, store and NLG; seconds taken.

    Every awaited call here finishes without waiting for I/O (Rasa's NLU and policies are
    synchronous, the SQL store blocks), so the loop serves nothing in between."""
    t0 = time.perf_counter()
    processor = agent.processor
    domain = processor.domain
    for text in MESSAGES:
        parse = await processor.parse_message(UserMessage(text, sender_id=SENDER))
        tracker = DialogueStateTracker.from_events(SENDER, [
            ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(),
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered(text, parse.get("intent"), parse.get("entities"), parse),
        ], domain.slots)
        processor.predict_next_with_tracker(tracker)
    await agent.tracker_store.retrieve(SENDER)  # compiles the store's queries; finds nothing
    if NLG_RESPONSE in domain.responses:
        await agent.nlg.generate(NLG_RESPONSE, tracker, CollectingOutputChannel.name())
    return time.perf_counter() - t0


async def _after_server_start(app: Any, _loop: Any) -> None:
    agent = getattr(app.ctx, "agent", None)
    if agent is None or getattr(agent, "processor", None) is None:
        logger.warning("no model loaded: nothing to warm up")
        return
    try:
        seconds = await warm_up_agent(agent)
        logger.info("Rasa server warmed up in %.1f s", seconds)
    except Exception as error:  # noqa: BLE001 - a warm-up must never keep the server down
        logger.warning("warm-up failed (%s: %s); the first answers will be slower",
                       type(error).__name__, error)
    gc.collect()
    gc.freeze()


def register(blueprint: Any) -> None:
    """Run the warm-up once the model is loaded, before requests are served."""
    blueprint.listener("after_server_start")(_after_server_start)
