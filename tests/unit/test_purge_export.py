"""scripts/purge.py and scripts/export.py against a real SQLite tracker store."""
import asyncio
import csv
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.masking_tracker_store import MaskingSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0
NOW = time.time()


def _user(text, intent, confidence, ts):
    parse_data = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "text": text,
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    return UserUttered(text, intent=parse_data["intent"], parse_data=parse_data,
                       input_channel="rest", timestamp=ts)


def _turns(sender_id, start, turns):
    """A conversation starting at ``start``; turns = [(text, intent, confidence, action, dt)]."""
    events = [ActionExecuted("action_session_start", timestamp=start),
              SessionStarted(timestamp=start),
              ActionExecuted("action_listen", timestamp=start)]
    for text, intent, confidence, action, dt in turns:
        ts = start + dt
        events += [
            _user(text, intent, confidence, ts),
            ActionExecuted(action, timestamp=ts + 0.1),
            BotUttered("antwoord", timestamp=ts + 0.2),
            ActionExecuted("action_listen", timestamp=ts + 0.3),
        ]
    return DialogueStateTracker.from_events(sender_id, events)


def _save(store, tracker):
    asyncio.run(store.save(tracker))


def _run(script, *args, env=None):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def _senders(db):
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id"))


@pytest.fixture(scope="module")
def domain():
    return Domain.empty()


# --------------------------------------------------------------------------- purge


@pytest.fixture
def purge_db(tmp_path, domain):
    db = tmp_path / "var" / "conversations.db"
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    q = ("hoe lang duurt de behandeling", "ask_duration", 0.97, "action_answer_question")
    _save(store, _turns("old-60", NOW - 60 * DAY, [(*q, 10), (*q, 20)]))
    _save(store, _turns("old-45", NOW - 45 * DAY, [("oudgesprek kenmerk xq7", "ask_duration", 0.9,
                                                     "action_answer_question", 5)]))
    # started long ago, but the last message is recent: kept, completely
    _save(store, _turns("active", NOW - 60 * DAY, [(*q, 10), (*q, 55 * DAY)]))
    _save(store, _turns("new", NOW - 2 * DAY, [(*q, 10)]))
    store.engine.dispose()
    return db


def test_purge_removes_only_conversations_idle_for_longer(purge_db):
    before = _senders(purge_db)
    assert set(before) == {"old-60", "old-45", "active", "new"}

    out = _run("purge.py", "--days", "30", "--db-url", f"sqlite:///{purge_db}")

    after = _senders(purge_db)
    assert set(after) == {"active", "new"}
    assert after["active"] == before["active"]  # all of its events, old ones included
    removed = before["old-60"] + before["old-45"]
    assert f"Removed 2 conversation(s) with {removed} event(s)" in out
    # secure_delete: the deleted text is gone from the file itself
    assert b"xq7" not in purge_db.read_bytes()

    # nothing more to do the second time
    assert "Removed 0 conversation(s) with 0 event(s)" in _run(
        "purge.py", "--days", "30", "--db-url", f"sqlite:///{purge_db}")


def test_purge_dry_run_and_db_url_from_environment(purge_db):
    out = _run("purge.py", "--days", "50", "--dry-run", env={"DB_URL": f"sqlite:///{purge_db}"})
    assert "Would remove 1 conversation(s)" in out
    assert set(_senders(purge_db)) == {"old-60", "old-45", "active", "new"}

    _run("purge.py", "--days", "50", "--vacuum", env={"DB_URL": f"sqlite:///{purge_db}"})
    assert set(_senders(purge_db)) == {"old-45", "active", "new"}


def test_purge_without_database_is_harmless(tmp_path):
    out = _run("purge.py", "--days", "30", "--db-url", f"sqlite:///{tmp_path}/missing.db")
    assert "nothing to purge" in out
    assert not (tmp_path / "missing.db").exists()


# --------------------------------------------------------------------------- export

SECRETS = ["Jan", "Vries", "06-12345678", "12345678", "111222333", "karin@example.be",
           "Kapelsestraat", "0470 12 34 56"]


@pytest.fixture
def export_db(tmp_path, domain):
    db = tmp_path / "conversations.db"
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    start = NOW - 3 * DAY
    _save(store, _turns("p1", start, [
        ("Kan ik parkeren? Ik ben Jan de Vries, 06-12345678", "nlu_fallback", 0.41,
         "utter_fallback", 10),
        ("hoe lang duurt het", "ask_duration", 0.98, "action_answer_question", 20),
        ("wat vind je van voetbal, mail karin@example.be", "out_of_scope", 0.88,
         "utter_out_of_scope", 30),
    ]))
    # the intent was not out_of_scope, but the answer was
    _save(store, _turns("p2", start + 100, [
        ("kan ik mijn hond meenemen, ik woon Kapelsestraat 12", "ask_visitors", 0.55,
         "utter_out_of_scope", 10),
        ("ik heb hevige pijn en koorts van 39", "red_flag", 0.95, "action_triage", 20),
        ("ik heb hevige pijn en koorts van 40", "red_flag", 0.93, "action_triage", 30),
    ]))
    _save(store, _turns("p3", NOW - 1 * DAY, [
        ("ik krijg geen lucht", "emergency", 0.99, "action_triage", 10),
    ]))
    # outside the period: not exported
    _save(store, _turns("old", NOW - 40 * DAY, [
        ("oude vraag zonder antwoord", "nlu_fallback", 0.2, "utter_fallback", 10),
        ("oude rode vlag", "red_flag", 0.9, "action_triage", 20),
    ]))
    store.engine.dispose()
    # written before masking was switched on: the export must still mask it
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    _save(plain, _turns("legacy", NOW - 2 * DAY, [
        ("mijn bsn is 111222333 en mijn gsm 0470 12 34 56", "nlu_fallback", 0.3,
         "utter_fallback", 10),
    ]))
    plain.engine.dispose()
    return db


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_masked_fallback_questions_and_red_flag_counts(export_db, tmp_path):
    out_dir = tmp_path / "export"
    out = _run("export.py", "--days", "30", "--out", str(out_dir),
               "--db-url", f"sqlite:///{export_db}")
    assert "4 fallback question(s)" in out
    assert "3 red-flag message(s)" in out

    fallback = _read_csv(out_dir / "fallback_questions.csv")
    assert list(fallback[0]) == ["time", "text", "predicted_intent", "confidence"]
    assert [(r["text"], r["predicted_intent"], r["confidence"]) for r in fallback] == [
        ("Kan ik parkeren? Ik ben [naam], [telefoon]", "nlu_fallback", "0.410"),
        ("wat vind je van voetbal, mail [e-mail]", "out_of_scope", "0.880"),
        ("kan ik mijn hond meenemen, ik woon [adres]", "ask_visitors", "0.550"),
        ("mijn bsn is [bsn] en mijn gsm [telefoon]", "nlu_fallback", "0.300"),
    ]
    for row in fallback:
        datetime.fromisoformat(row["time"])  # a real time stamp

    exported = (out_dir / "fallback_questions.csv").read_text(encoding="utf-8")
    exported += (out_dir / "red_flag_counts.csv").read_text(encoding="utf-8")
    # the same questions as a ready-to-fill staff conversation-test file that the runner reads
    tests_file = out_dir / "unanswered_conversations.yml"
    exported += tests_file.read_text(encoding="utf-8")
    from qa.conversations import load_tests
    tests = load_tests([tests_file])
    assert [t["steps"][0]["patient"] for _, t in tests] == [r["text"] for r in fallback]
    for secret in SECRETS:
        assert secret not in exported, secret
    assert "legacy" not in exported and "p1" not in exported  # no conversation ids

    zone = ZoneInfo("Europe/Amsterdam")
    expected = Counter()
    for ts, intent in [(NOW - 3 * DAY + 100 + 20, "red_flag"), (NOW - 3 * DAY + 100 + 30, "red_flag"),
                       (NOW - DAY + 10, "emergency")]:
        expected[(datetime.fromtimestamp(ts, zone).date().isoformat(), intent)] += 1
    counts = _read_csv(out_dir / "red_flag_counts.csv")
    assert list(counts[0]) == ["date", "intent", "count"]
    assert {(r["date"], r["intent"]): int(r["count"]) for r in counts} == dict(expected)


def test_export_period_and_empty_database(export_db, tmp_path):
    out_dir = tmp_path / "all"
    _run("export.py", "--days", "60", "--out", str(out_dir), "--db-url", f"sqlite:///{export_db}")
    assert len(_read_csv(out_dir / "fallback_questions.csv")) == 5
    assert sum(int(r["count"]) for r in _read_csv(out_dir / "red_flag_counts.csv")) == 4

    empty_dir = tmp_path / "empty"
    out = _run("export.py", "--out", str(empty_dir), env={"DB_URL": f"sqlite:///{tmp_path}/none.db"})
    assert "0 fallback question(s)" in out
    assert _read_csv(empty_dir / "fallback_questions.csv") == []
    assert (empty_dir / "red_flag_counts.csv").read_text().strip() == "date,intent,count"
