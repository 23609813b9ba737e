"""An SQL tracker store that never writes personal identifiers to the database.

Configured in endpoints.yml (see docs/privacy.md)::

    tracker_store:
      type: addons.masking_tracker_store.MaskingSQLTrackerStore
      dialect: sqlite
      db: var/conversations.db

What is masked (with :func:`actions.lib.pii.mask_event`) before an event is
written: the text of user and bot messages, ``parse_data.text``, the values
(and offsets) of entities found in masked text, and string slot values that
contain an identifier. Intents, confidences, actions and timestamps are kept,
so the purge and export scripts and the analytics still work.

Only the stored copy is masked. ``save`` writes ``event.as_dict()`` of a masked
copy of each new event (the rows ``SQLTrackerStore.save`` would write, masked).
The tracker object in memory (the one the policies, the action server and the
output channel see during the turn) is not touched. After a turn in which
something was masked, the next message reloads the conversation from the
database, so earlier messages are then seen in their masked form; the dialogue
only depends on intents, entities of the current message and slots, so it is
unaffected.

Per-turn cost (docs/benchmark.md, "Flat per-turn cost"). Rasa's ``SQLTrackerStore``
reloads the whole session on every message (every row JSON-decoded, every event rebuilt
and replayed) and counts the stored rows again on every save, so a turn costs more the
longer the conversation is. This store keeps each conversation's tracker in memory
after a save (a bounded LRU, ``CACHE_SIZE`` conversations) and, on the next message,
only asks the database for rows written after the last one it knows (``id > last``):
none when this server handled the previous turn, the other server's rows when the
conversation moved between servers (Redis locks, docs/scale-out.md). A save writes
``tracker.events[stored:]`` without counting rows. The cached tracker is always exactly
what a reload would give: it is only kept when every new event was stored unchanged
(nothing was masked) and no new session started; a tracker that was changed but not
saved (a failed turn) is never handed out again; a tracker is handed out once and is
back in the cache only after its save, so two requests never share one object.
Otherwise the store falls back to Rasa's full reload.

Not masked here (see docs/privacy.md):
* ``sender_id`` (for WhatsApp it is the patient's phone number),
* events published to an event broker (``stream_events`` runs before the save
  and sends the unmasked events; no broker is configured in this project),
* message metadata from the channel.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from actions.lib.pii import mask_event

logger = logging.getLogger(__name__)


@dataclass
class _Known:
    """A conversation's tracker as this process last stored or loaded it."""

    tracker: DialogueStateTracker
    stored: int    # len(tracker.events) that are rows of the current session
    last_id: int   # the highest events.id of the sender that the tracker includes
    out: bool = False  # handed to a request that has not saved it yet


class MaskingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose stored events are masked by ``actions.lib.pii``,
    with incremental retrieve and save (module docstring)."""

    #: conversations whose tracker is kept in memory (least recently used dropped first)
    CACHE_SIZE = 500
    #: a session that has this many user messages ends before the next one (0: never)
    MAX_SESSION_TURNS = 20

    def __init__(
        self,
        domain: Optional[Domain] = None,
        dialect: Text = "sqlite",
        host: Optional[Text] = None,
        db: Text = "rasa.db",
        max_session_turns: Any = None,
        **kwargs: Any,
    ) -> None:
        # Rasa creates a custom store with `host=<url>, domain=..., event_broker=...`
        # plus every other key of the endpoint config (port, username, password,
        # login_db, query ...); all of them go on to SQLTrackerStore unchanged.
        if dialect == "sqlite" and not host:
            _ensure_sqlite_directory(db)
        super().__init__(domain=domain, dialect=dialect, host=host, db=db, **kwargs)
        if self.engine.dialect.name == "sqlite" and db not in ("", ":memory:"):
            self._reuse_sqlite_connections()
        self.max_session_turns = (self.MAX_SESSION_TURNS if max_session_turns in (None, "")
                                  else int(max_session_turns))
        self._known: "OrderedDict[Text, _Known]" = OrderedDict()
        self.cache_hits = self.cache_misses = 0

    def _reuse_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens and closes a new SQLite connection for every query
        session (``NullPool``): a file open and a schema read twice per turn. Keep one
        connection per thread instead (Rasa uses the store from its event loop), in
        write-ahead-log mode (``_use_write_ahead_log``)."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
        _use_write_ahead_log(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # ------------------------------------------------------------------ retrieve

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session of the conversation (as ``SQLTrackerStore.retrieve``)."""
        known = self._known.get(sender_id)
        if known is not None and not known.out and len(known.tracker.events) == known.stored:
            with self.session_scope() as session:
                newer = self._rows_after(session, sender_id, known.last_id)
            if not any(row.type_name == SessionStarted.type_name for row in newer):
                for row in newer:  # written by another server since our last turn
                    event = Event.from_parameters(json.loads(row.data))
                    known.tracker.events.append(event)  # as from_dict replays it
                    event.apply_to(known.tracker)
                if newer:
                    known.stored = len(known.tracker.events)
                    known.last_id = newer[-1].id
                self.cache_hits += 1
                known.out = True
                self._known.move_to_end(sender_id)
                self._end_long_session(known.tracker)
                return known.tracker
        # Not known, changed but not saved (a failed turn), already handed out (no
        # lock), or a new session on another server: Rasa's full reload.
        self.cache_misses += 1
        self._known.pop(sender_id, None)
        tracker, last_id = self._load(sender_id)
        if tracker is not None:
            self._remember(sender_id, _Known(tracker, len(tracker.events), last_id, out=True))
            self._end_long_session(tracker)
        return tracker

    def _end_long_session(self, tracker: DialogueStateTracker) -> None:
        """Start a new session before the next message when the current one is long.

        Rasa starts a new session when the last one expired (``session_config`` in
        domain.yml): ``action_session_start``, ``session_started``, the slots carried
        over, ``action_listen``. Here the same events are added when the session holds
        ``max_session_turns`` user messages, so a conversation that never pauses (a
        WhatsApp number is one conversation for ever) does not make every turn slower:
        Rasa's policies and the action server call read the whole session each turn.
        Only the last value of each slot is carried over (Rasa's own carry-over repeats
        every ``slot`` event of the session, so it grows with every session). The
        policies of this assistant decide from the current message and the slots, so
        the answers are the same; the full conversation stays in the database.
        """
        limit = self.max_session_turns
        if not limit or self.domain is None \
                or tracker.latest_action_name != ACTION_LISTEN_NAME:
            return
        turns, last_user = 0, None
        for event in reversed(tracker.events):
            if isinstance(event, SessionStarted):
                break
            if isinstance(event, UserUttered):
                turns += 1
                last_user = last_user or event
        if turns < limit:
            return
        config = self.domain.session_config
        if config.are_sessions_enabled() and \
                time.time() - last_user.timestamp > config.session_expiration_time * 60:
            return  # expired: Rasa starts the new session itself
        carried: Dict[Text, SlotSet] = {}
        if config.carry_over_slots:
            for event in tracker.applied_events():
                if isinstance(event, SlotSet):
                    carried[event.key] = event
        tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
        tracker.update(SessionStarted())
        for event in carried.values():
            tracker.update(SlotSet(key=event.key, value=event.value, metadata=event.metadata))
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        logger.debug("new session after %d messages", turns)

    def _load(self, sender_id: Text) -> "tuple[Optional[DialogueStateTracker], int]":
        """Rasa's full reload of the latest session, and the sender's highest row id."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id,
                                     fetch_events_from_all_sessions=False).all()
            if not rows or not self.domain:
                return None, 0
            last_id = session.query(sa.func.max(self.SQLEvent.id)).filter(
                self.SQLEvent.sender_id == sender_id).scalar() or 0
        events = [json.loads(row.data) for row in rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots), last_id

    def _rows_after(self, session: Any, sender_id: Text, last_id: int) -> List[Any]:
        return (session.query(self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id > last_id)
                .order_by(self.SQLEvent.id).all())

    # ------------------------------------------------------------------ save

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events the database does not have yet, masked."""
        sender_id = tracker.sender_id
        known = self._known.pop(sender_id, None)
        await self.stream_events(tracker)  # no-op without an event broker
        ours = (known is not None and known.tracker is tracker
                and len(tracker.events) >= known.stored)
        if not tracker.events:  # just created: nothing to store (a retrieve found none)
            self._keep_stored_form(tracker, [], [], known.last_id if ours else 0)
            return
        with self.session_scope() as session:
            if ours:
                new = list(itertools.islice(tracker.events, known.stored, None))
            else:  # a tracker this store does not know: Rasa's way (count the rows)
                new = list(super()._additional_events(session, tracker))
            stored_forms = [masked_copy(event) for event in new]
            if stored_forms:
                session.execute(self.SQLEvent.__table__.insert(),
                                [self._row(sender_id, event) for event in stored_forms])
            # The conversation is locked (lock store): no other writer for this sender.
            last_id = session.query(sa.func.max(self.SQLEvent.id)).filter(
                self.SQLEvent.sender_id == sender_id).scalar() or 0
            session.commit()
        logger.debug("Tracker with sender_id '%s' stored to database", sender_id)
        if ours or not new:
            self._keep_stored_form(tracker, new, stored_forms, last_id)

    def _keep_stored_form(self, tracker: DialogueStateTracker, new: List[Event],
                          stored_forms: List[Any], last_id: int) -> None:
        """Keep in memory exactly what a reload would give, or nothing."""
        sender_id = tracker.sender_id
        if any(isinstance(event, SessionStarted) for event in new):
            # A reload gives the events not older than the last session start (the
            # query of SQLTrackerStore): replay those, in their stored form.
            stored = list(tracker.events)[:len(tracker.events) - len(new)] + stored_forms
            if not all(isinstance(e, Event) for e in stored) or self.domain is None:
                return
            start = max(e.timestamp for e in stored if isinstance(e, SessionStarted))
            session = [e for e in stored if e.timestamp >= start]
            fresh = DialogueStateTracker.from_events(sender_id, session, self.domain.slots)
            self._remember(sender_id, _Known(fresh, len(fresh.events), last_id))
        elif _adopt_stored_forms(tracker, len(tracker.events) - len(new), new, stored_forms):
            # An empty tracker was just created for a request that goes on with it.
            self._remember(sender_id, _Known(tracker, len(tracker.events), last_id,
                                             out=not tracker.events))

    @staticmethod
    def _row(sender_id: Text, event: Any) -> Dict[Text, Any]:
        """The row ``SQLTrackerStore.save`` writes for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _remember(self, sender_id: Text, known: _Known) -> None:
        self._known[sender_id] = known
        self._known.move_to_end(sender_id)
        while len(self._known) > self.CACHE_SIZE:
            self._known.popitem(last=False)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events ``save`` is about to write, as masked copies."""
        for event in super()._additional_events(session, tracker):
            yield masked_copy(event)


def _adopt_stored_forms(tracker: DialogueStateTracker, start: int, new: List[Event],
                        stored_forms: List[Any]) -> bool:
    """Make the tracker hold the stored (masked) form of its new events, as a reload
    would; False when that cannot be done in place (then it is not kept in memory).

    A masked user or bot message only replaces the event (and the tracker's latest
    message or bot utterance, which are that event); a masked slot value would change
    the slots, so that tracker is reloaded instead."""
    for offset, (event, stored) in enumerate(zip(new, stored_forms)):
        if stored is event:
            continue
        if not isinstance(stored, Event) or not isinstance(event, (UserUttered, BotUttered)):
            return False
        tracker.events[start + offset] = stored
        if tracker.latest_message is event:
            tracker.latest_message = stored
        if tracker.latest_bot_utterance is event:
            tracker.latest_bot_utterance = stored
    return True


def masked_copy(event: Event) -> Event:
    """A copy of ``event`` whose ``as_dict()`` is ``mask_event(event.as_dict())``."""
    data = event.as_dict()
    masked = mask_event(data)
    if masked == data:
        return event
    try:
        copy = Event.from_parameters(masked)
    except Exception:  # pragma: no cover - a custom event we cannot rebuild
        copy = None
    if copy is None or copy.as_dict() != masked:
        return _StoredForm(event, masked)
    return copy


class _StoredForm:
    """Fallback for an event that does not survive ``from_parameters``: it only
    offers what ``SQLTrackerStore.save`` reads (``type_name`` and ``as_dict``)."""

    def __init__(self, original: Event, data: Dict[Text, Any]) -> None:
        self.type_name = original.type_name
        self._data = data

    def as_dict(self) -> Dict[Text, Any]:
        return self._data


def _use_write_ahead_log(engine: Any) -> None:
    """SQLite in write-ahead-log mode (a setting stored in the database file).

    A commit then writes and syncs one log file instead of a rollback journal and the
    database (fewer fsyncs per turn, still durable: ``synchronous`` stays FULL), and
    readers (scripts/purge.py, scripts/export.py) no longer block the server's writes."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    except Exception as error:  # pragma: no cover - e.g. a read-only or network file
        logger.warning("SQLite write-ahead log not enabled: %s", error)


def _ensure_sqlite_directory(db: Text) -> None:
    """SQLite cannot create `var/` itself, and Rasa would retry forever."""
    if not db or db == ":memory:" or db.startswith("file:"):
        return
    directory = os.path.dirname(os.path.abspath(db))
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:  # pragma: no cover
        logger.warning("Could not create the directory for %s: %s", db, error)
