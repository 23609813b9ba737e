"""MaskingSQLTrackerStore on a real SQLite file: nothing personal reaches the disk."""
import asyncio
import json
import sqlite3
import textwrap
from pathlib import Path

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from addons.masking_tracker_store import MaskingSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]

SECRETS = [
    "06-12345678", "12345678", "jan.devries@example.nl", "devries", "111222333",
    "Jan", "Vries", "Kapelsestraat", "3045",
]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def _user(text, intent="ask_contact", entities=(), timestamp=None):
    entities = list(entities)
    parse_data = {
        "intent": {"name": intent, "confidence": 0.93},
        "entities": entities,
        "text": text,
        "intent_ranking": [{"name": intent, "confidence": 0.93}],
    }
    return UserUttered(text, intent=parse_data["intent"], entities=entities,
                       parse_data=parse_data, input_channel="rest", timestamp=timestamp)


def _conversation(sender_id="patient-1"):
    name_text = "Hallo, ik ben Jan de Vries"
    phone_text = "Bel me terug op 06-12345678 of mail jan.devries@example.nl"
    bsn_text = "mijn bsn is 111222333 en ik woon Kapelsestraat 12, 3045 PM Rotterdam"
    phone_start = phone_text.index("06-")
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        _user(name_text, intent="greet",
              entities=[{"entity": "person", "value": "Jan de Vries", "start": 14, "end": 26}]),
        BotUttered("Dag Jan de Vries, waarmee kan ik helpen?"),
        ActionExecuted("action_listen"),
        _user(phone_text, entities=[{"entity": "phone", "value": "06-12345678",
                                     "start": phone_start, "end": phone_start + 11}]),
        ActionExecuted("action_contact"),
        BotUttered("Je kunt het Gasthuis bellen op 010-4616674."),
        ActionExecuted("action_listen"),
        _user(bsn_text),
        ActionExecuted("action_listen"),
        _user("ik ben 38,5 graden en duizelig sinds 24 uur", intent="red_flag"),
        SlotSet("safety_status", "pending"),
        ActionExecuted("action_triage"),
        ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events(sender_id, events)


def _rows(db_path):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT sender_id, type_name, intent_name, action_name, timestamp, data "
            "FROM events ORDER BY id"
        ).fetchall()


def _stored_text(rows):
    """Everything in the data column, raw and JSON-decoded (non-ASCII is escaped)."""
    raw = "\n".join(r[5] for r in rows)
    decoded = "\n".join(json.dumps(json.loads(r[5]), ensure_ascii=False) for r in rows)
    return raw + "\n" + decoded


def test_nothing_personal_is_stored(tmp_path, domain):
    db = tmp_path / "conversations.db"
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    tracker = _conversation()

    asyncio.run(store.save(tracker))

    rows = _rows(db)
    assert len(rows) == len(tracker.events)
    stored = _stored_text(rows)
    for secret in SECRETS:
        assert secret not in stored, secret
    for label in ("[naam]", "[telefoon]", "[e-mail]", "[bsn]", "[adres]"):
        assert label in stored

    user_rows = [json.loads(r[5]) for r in rows if r[1] == "user"]
    assert [u["text"] for u in user_rows] == [
        "Hallo, ik ben [naam]",
        "Bel me terug op [telefoon] of mail [e-mail]",
        "mijn bsn is [bsn] en ik woon [adres]",
        "ik ben 38,5 graden en duizelig sinds 24 uur",  # clinical text untouched
    ]
    assert [u["parse_data"]["text"] for u in user_rows] == [u["text"] for u in user_rows]
    assert user_rows[0]["parse_data"]["entities"][0]["value"] == "[naam]"
    phone_entity = user_rows[1]["parse_data"]["entities"][0]
    assert phone_entity["value"] == "[telefoon]"
    assert user_rows[1]["text"][phone_entity["start"]:phone_entity["end"]] == "[telefoon]"

    # bot messages are masked too (the hospital number is a phone number)
    bot_rows = [json.loads(r[5])["text"] for r in rows if r[1] == "bot"]
    assert bot_rows == ["Dag [naam], waarmee kan ik helpen?",
                        "Je kunt het Gasthuis bellen op [telefoon]."]

    # what the analytics need is kept: intents, actions, timestamps, order
    assert [r[2] for r in rows if r[1] == "user"] == ["greet", "ask_contact", "ask_contact", "red_flag"]
    assert [r[3] for r in rows if r[1] == "action"][:2] == ["action_session_start", "action_listen"]
    assert all(r[0] == "patient-1" for r in rows)
    assert [r[4] for r in rows] == [e.timestamp for e in tracker.events]


def test_the_tracker_in_memory_keeps_the_real_text(tmp_path, domain):
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "c.db"))
    tracker = _conversation()
    before = [e.as_dict() for e in tracker.events]

    asyncio.run(store.save(tracker))

    assert [e.as_dict() for e in tracker.events] == before
    assert tracker.latest_message.text == "ik ben 38,5 graden en duizelig sinds 24 uur"
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert texts[0] == "Hallo, ik ben Jan de Vries"


def test_retrieve_and_the_next_turn(tmp_path, domain):
    db = tmp_path / "c.db"
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    tracker = _conversation()
    asyncio.run(store.save(tracker))

    restored = asyncio.run(store.retrieve("patient-1"))
    assert restored is not None
    # like SQLTrackerStore: the latest session, from its SessionStarted on
    assert len(restored.events) == len(tracker.events) - 1
    assert [e.text for e in restored.events if isinstance(e, UserUttered)][0] == "Hallo, ik ben [naam]"
    assert restored.get_slot("safety_status") == "pending"
    assert restored.latest_message.intent["name"] == "red_flag"

    # next turn: Rasa loads the stored (masked) tracker, adds events, saves again
    restored.update(_user("mijn nummer is 0470 12 34 56, groetjes, Karin"))
    restored.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(restored))

    rows = _rows(db)
    assert len(rows) == len(tracker.events) + 2  # only the two new events were added
    last_user = json.loads([r for r in rows if r[1] == "user"][-1][5])
    assert last_user["text"] == "mijn nummer is [telefoon], groetjes, [naam]"
    assert "Karin" not in _stored_text(rows)

    assert asyncio.run(store.keys()) == ["patient-1"]
    full = asyncio.run(store.retrieve_full_tracker("patient-1"))
    assert len(full.events) == len(rows)


def test_created_from_endpoints_yml_like_rasa_does(tmp_path, domain, monkeypatch):
    db = tmp_path / "var" / "conversations.db"  # var/ does not exist yet
    monkeypatch.setenv("TEST_TRACKER_DB", str(db))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(textwrap.dedent("""
        tracker_store:
          type: addons.masking_tracker_store.MaskingSQLTrackerStore
          dialect: sqlite
          db: ${TEST_TRACKER_DB}
    """))

    config = read_endpoint_config(str(endpoints), "tracker_store")
    store = TrackerStore.create(config, domain=domain)

    assert isinstance(store, MaskingSQLTrackerStore)  # async, so not wrapped
    assert store.domain is domain
    assert db.exists()
    asyncio.run(store.save(_conversation("patient-2")))
    assert "111222333" not in _stored_text(_rows(db))
