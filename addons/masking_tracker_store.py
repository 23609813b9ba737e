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

Only the stored copy is masked. Rasa 3.6's ``SQLTrackerStore.save`` writes
``event.as_dict()`` of each event returned by ``_additional_events``; this
class overrides just that method and hands ``save`` masked copies of the new
events. The tracker object in memory (the one the policies, the action server
and the output channel see during the turn) is not touched. From the next
message on, Rasa reloads the conversation from the database, so earlier
messages are then seen in their masked form; the dialogue only depends on
intents, entities of the current message and slots, so it is unaffected.

Not masked here (see docs/privacy.md):
* ``sender_id`` (for WhatsApp it is the patient's phone number),
* events published to an event broker (``stream_events`` runs before the save
  and sends the unmasked events; no broker is configured in this project),
* message metadata from the channel.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, Iterator, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from actions.lib.pii import mask_event

logger = logging.getLogger(__name__)


class MaskingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose stored events are masked by ``actions.lib.pii``."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        dialect: Text = "sqlite",
        host: Optional[Text] = None,
        db: Text = "rasa.db",
        **kwargs: Any,
    ) -> None:
        # Rasa creates a custom store with `host=<url>, domain=..., event_broker=...`
        # plus every other key of the endpoint config (port, username, password,
        # login_db, query ...); all of them go on to SQLTrackerStore unchanged.
        if dialect == "sqlite" and not host:
            _ensure_sqlite_directory(db)
        super().__init__(domain=domain, dialect=dialect, host=host, db=db, **kwargs)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events ``save`` is about to write, as masked copies."""
        for event in super()._additional_events(session, tracker):
            yield masked_copy(event)


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


def _ensure_sqlite_directory(db: Text) -> None:
    """SQLite cannot create `var/` itself, and Rasa would retry forever."""
    if not db or db == ":memory:" or db.startswith("file:"):
        return
    directory = os.path.dirname(os.path.abspath(db))
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:  # pragma: no cover
        logger.warning("Could not create the directory for %s: %s", db, error)
