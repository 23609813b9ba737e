"""MaskingSQLTrackerStore's incremental retrieve and save (docs/benchmark.md): whatever
the store keeps in memory is exactly what a reload from the database gives, it writes the
same rows as Rasa's SQLTrackerStore, and long sessions end like expired ones."""
import asyncio
import json
import sqlite3
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from addons.masking_tracker_store import MaskingSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def run(coroutine):
    return asyncio.run(coroutine)


def _user(text, intent="ask_question"):
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text,
             "intent_ranking": [{"name": intent, "confidence": 0.9}],
             "answer_topics": {"ranking": [["unit_a", 0.8], ["unit_b", 0.3]], "questions": [],
                               "is_question": True}}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, input_channel="rest")


def turn(store, sender, text, reply="Dat duurt ongeveer twintig minuten.", slots=()):
    """What Rasa's processor does with the store for one message."""
    tracker = run(store.get_or_create_tracker(sender, append_action_listen=False))
    if not tracker.events:
        for event in (ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(),
                      ActionExecuted(ACTION_LISTEN_NAME)):
            tracker.update(event)
    tracker.update(_user(text))
    tracker.update(ActionExecuted("action_answer_question"))
    tracker.update(BotUttered(reply))
    for key, value in slots:
        tracker.update(SlotSet(key, value))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    run(store.save(tracker))
    return tracker


def state(tracker):
    dump = tracker.current_state(EventVerbosity.ALL)
    for event in dump["events"]:
        event.get("metadata", {}).pop("model_id", None)
    return json.loads(json.dumps(dump))


def reload(domain, db, sender):
    """What a freshly started server reads: Rasa's own SQLTrackerStore."""
    return run(SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db)).retrieve(sender))


def rows(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT sender_id, type_name, timestamp, intent_name, action_name,"
                            " data FROM events ORDER BY id").fetchall()


def test_the_kept_tracker_is_what_a_reload_gives(tmp_path, domain):
    db = tmp_path / "c.db"
    store = MaskingSQLTrackerStore(domain=domain, db=str(db))
    turn(store, "p1", "ik heb een facetinfiltratie gehad", slots=[("treatment", "facetinfiltratie")])
    # masked: the bot's phone number, the patient's e-mail address
    turn(store, "p1", "wie bel ik?", reply="Bel de polikliniek: 010-4616674.")
    turn(store, "p1", "mail me op jan@example.com", reply="Dat kan ik niet.")
    for i in range(5):
        turn(store, "p1", f"vraag {i}", slots=[("topic", f"t{i}")])

    kept = run(store.retrieve("p1"))
    assert store.cache_hits >= 5
    assert state(kept) == state(reload(domain, db, "p1"))
    assert kept.get_slot("treatment") == "facetinfiltratie"
    stored = "\n".join(r[5] for r in rows(db))
    assert "jan@example.com" not in stored and "4616674" not in stored


def test_rows_are_those_of_rasas_store(tmp_path, domain):
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    store = MaskingSQLTrackerStore(domain=domain, db=str(ours))
    stock = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(theirs))
    for text in ("hallo", "hoe lang duurt het?", "bedankt"):
        turn(store, "p2", text, slots=[("topic", text)])
        turn(stock, "p2", text, slots=[("topic", text)])

    def untimed(db):
        out = []
        for sender, type_name, _, intent, action, data in rows(db):
            data = json.loads(data)
            data.pop("timestamp")
            out.append((sender, type_name, intent, action, data))
        return out

    assert untimed(ours) == untimed(theirs)
    assert len(untimed(ours)) == 3 + 3 * 5


def test_turns_written_by_another_server_are_read(tmp_path, domain):
    db = tmp_path / "c.db"
    a = MaskingSQLTrackerStore(domain=domain, db=str(db))
    b = MaskingSQLTrackerStore(domain=domain, db=str(db))
    turn(a, "p3", "eerste vraag", slots=[("treatment", "dry_needling")])
    turn(b, "p3", "tweede vraag", slots=[("topic", "duur")])   # b reads a's turn
    turn(b, "p3", "derde vraag")
    tracker = turn(a, "p3", "vierde vraag")                   # a catches up on b's turns
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "eerste vraag", "tweede vraag", "derde vraag", "vierde vraag"]
    assert state(run(a.retrieve("p3"))) == state(reload(domain, db, "p3"))
    texts = [json.loads(r[5]).get("text") for r in rows(db) if r[1] == "user"]
    assert texts == ["eerste vraag", "tweede vraag", "derde vraag", "vierde vraag"]


def test_a_failed_turn_is_not_kept(tmp_path, domain):
    db = tmp_path / "c.db"
    store = MaskingSQLTrackerStore(domain=domain, db=str(db))
    turn(store, "p4", "eerste vraag")
    tracker = run(store.retrieve("p4"))
    tracker.update(_user("never saved"))  # the turn fails before its save
    again = run(store.retrieve("p4"))
    assert again is not tracker
    assert "never saved" not in [e.text for e in again.events if isinstance(e, UserUttered)]


def test_a_tracker_is_never_handed_to_two_requests(tmp_path, domain):
    store = MaskingSQLTrackerStore(domain=domain, db=str(tmp_path / "c.db"))
    turn(store, "p5", "eerste vraag")
    first = run(store.retrieve("p5"))
    second = run(store.retrieve("p5"))  # no lock, no save in between
    assert first is not second
    assert state(first) == state(second)


def test_a_long_session_ends_like_an_expired_one(tmp_path, domain):
    db = tmp_path / "c.db"
    store = MaskingSQLTrackerStore(domain=domain, db=str(db), max_session_turns=5)
    turn(store, "p6", "vraag 0", slots=[("treatment", "facetinfiltratie"), ("topic", "a")])
    for i in range(1, 5):
        turn(store, "p6", f"vraag {i}", slots=[("topic", f"t{i}")])
    tracker = turn(store, "p6", "vraag 5")  # the sixth message starts a new session
    users = [e for e in tracker.applied_events() if isinstance(e, UserUttered)]
    assert [e.text for e in users] == ["vraag 5"]
    assert tracker.get_slot("treatment") == "facetinfiltratie" and tracker.get_slot("topic") == "t4"
    carried = [e for e in tracker.applied_events() if isinstance(e, SlotSet)]
    assert [(e.key, e.value) for e in carried] == [("treatment", "facetinfiltratie"),
                                                  ("topic", "t4")]  # the last value only
    fresh = reload(domain, db, "p6")
    assert state(run(store.retrieve("p6"))) == state(fresh)
    assert [e.text for e in fresh.events if isinstance(e, UserUttered)] == ["vraag 5"]
    everything = run(store.retrieve_full_tracker("p6"))
    assert len([e for e in everything.events if isinstance(e, UserUttered)]) == 6
    assert sum(isinstance(e, SessionStarted) for e in everything.events) == 2


def test_an_expired_session_is_left_to_rasa(tmp_path, domain):
    store = MaskingSQLTrackerStore(domain=domain, db=str(tmp_path / "c.db"), max_session_turns=2)
    old = time.time() - 3 * 3600  # longer ago than session_expiration_time
    tracker = DialogueStateTracker.from_events("p7", [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=old), SessionStarted(timestamp=old),
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=old),
        UserUttered("a", timestamp=old), ActionExecuted(ACTION_LISTEN_NAME, timestamp=old),
        UserUttered("b", timestamp=old), ActionExecuted(ACTION_LISTEN_NAME, timestamp=old)])
    run(store.save(tracker))
    loaded = run(store.retrieve("p7"))
    assert sum(isinstance(e, SessionStarted) for e in loaded.events) == 1


def test_sqlite_uses_the_write_ahead_log(tmp_path, domain):
    db = tmp_path / "c.db"
    turn(MaskingSQLTrackerStore(domain=domain, db=str(db)), "p8", "hallo")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
