"""Export what the team needs to improve the assistant, without personal data.

    python scripts/export.py [--days 30] [--out results/export] [--db-url URL]

Reads Rasa's SQL tracker store (``--db-url``, else ``$DB_URL``, else
``sqlite:///var/conversations.db``) and writes two CSV files:

``fallback_questions.csv``  time, text, predicted_intent, confidence
    user messages of the last ``--days`` days that the assistant could not
    place: intent ``nlu_fallback`` or ``out_of_scope``, or answered with
    ``action_fallback`` / ``utter_fallback`` / ``utter_out_of_scope`` /
    ``action_default_fallback``.
``red_flag_counts.csv``     date, intent, count
    how many messages per day were classified ``red_flag`` or ``emergency``.

No conversation ids are exported. The text is already masked by the
MaskingSQLTrackerStore; it is masked again here (``actions.lib.pii.mask``) as a
second guard, e.g. for rows written before masking was switched on.
Times and dates are in Europe/Amsterdam time (same as Brussels).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter
from datetime import datetime, timezone, tzinfo
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from actions.lib.pii import mask  # noqa: E402

DEFAULT_DB_URL = "sqlite:///var/conversations.db"
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
FALLBACK_ACTIONS = frozenset(
    {"action_fallback", "utter_fallback", "utter_out_of_scope", "action_default_fallback"}
)
RED_FLAG_INTENTS = ("red_flag", "emergency")
# Responses that say honestly that the assistant has no answer (actions/lib/conversation.py).
UNANSWERED_RESPONSES = frozenset({"utter_question_unknown", "utter_not_in_leaflet",
                                  "utter_fallback", "utter_out_of_scope"})
FALLBACK_COLUMNS = ("time", "text", "predicted_intent", "confidence")
RED_FLAG_COLUMNS = ("date", "intent", "count")


def _local_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Amsterdam")
    except Exception:  # no tz database on this machine
        return timezone.utc


ZONE = _local_zone()


def _when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, ZONE)


def _safe_cell(value: str) -> str:
    """Keeps spreadsheet programs from running a message as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(db_url: str, since: float) -> List[Tuple[str, str, Optional[str], Optional[str], Optional[float], Optional[str]]]:
    engine = sa.create_engine(db_url)
    try:
        if not sa.inspect(engine).has_table("events"):
            return []
        with engine.connect() as conn:
            # all events of conversations active in the period, in stored order
            result = conn.execute(
                sa.text(
                    "SELECT sender_id, type_name, intent_name, action_name, timestamp, data "
                    "FROM events WHERE timestamp >= :since AND type_name IN ('user', 'action') "
                    "ORDER BY sender_id, id"
                ),
                {"since": since},
            )
            return [tuple(row) for row in result]
    finally:
        engine.dispose()


def collect(db_url: str, days: float, now: Optional[float] = None) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """(fallback question rows, red-flag count rows) for the last ``days`` days."""
    since = (time.time() if now is None else now) - days * 86400
    fallback: List[Dict[str, Any]] = []
    red_flags: Counter = Counter()

    current: Optional[Dict[str, Any]] = None  # the last user message and its answer
    current_sender: Optional[str] = None

    def finish() -> None:
        if current and (current["intent"] in FALLBACK_INTENTS or current["answered_with_fallback"]):
            fallback.append(current)

    for sender_id, type_name, intent, action, timestamp, data in _rows(db_url, since):
        if sender_id != current_sender:
            finish()
            current, current_sender = None, sender_id
        if type_name == "user":
            finish()
            try:
                event = json.loads(data or "{}")
            except ValueError:
                event = {}
            parse = event.get("parse_data") or {}
            predicted = parse.get("intent") or {}
            text = event.get("text") or parse.get("text") or ""
            current = {
                "timestamp": timestamp,
                "text": text,
                "intent": intent or predicted.get("name"),
                "confidence": predicted.get("confidence"),
                "answered_with_fallback": False,
            }
            if current["intent"] in RED_FLAG_INTENTS and timestamp is not None:
                red_flags[(_when(timestamp).date().isoformat(), current["intent"])] += 1
        elif type_name == "action" and current is not None and action in FALLBACK_ACTIONS:
            current["answered_with_fallback"] = True
        elif type_name == "bot" and current is not None:
            # an honest "the leaflet doesn't say / I don't know" from the answer library
            try:
                utter = (json.loads(data or "{}").get("metadata") or {}).get("utter_action")
            except ValueError:
                utter = None
            if utter in UNANSWERED_RESPONSES:
                current["answered_with_fallback"] = True
    finish()

    fallback_rows = [
        {
            "time": _when(row["timestamp"]).isoformat(timespec="seconds") if row["timestamp"] else "",
            "text": _safe_cell(mask(row["text"])),
            "predicted_intent": row["intent"] or "",
            "confidence": "" if row["confidence"] is None else f"{float(row['confidence']):.3f}",
        }
        for row in sorted(fallback, key=lambda r: r["timestamp"] or 0)
    ]
    red_flag_rows = [
        {"date": date, "intent": intent, "count": count}
        for (date, intent), count in sorted(red_flags.items())
    ]
    return fallback_rows, red_flag_rows


def conversation_tests(rows: Sequence[Dict[str, Any]]) -> str:
    """The unanswered questions as a ready-to-fill staff conversation-test file
    (docs/staff-tests.md): one test per question, the masked text as the patient's step."""
    lines = [
        "# Questions patients asked that the assistant could not answer (names and numbers",
        "# masked). Fill in what the answer must say (bot_says), or not_in_leaflet: true when",
        "# the leaflets really don't answer it; then move the tests you want into",
        "# tests/conversations/ (docs/staff-tests.md) and ask the team for the answers.",
    ]
    for i, row in enumerate(rows, 1):
        text = " ".join(str(row["text"]).split()).lstrip("'")
        lines += [
            f"- test: Vraag van een patiënt {i} ({row['time'][:10]})",
            "  steps:",
            f"    - patient: {json.dumps(text, ensure_ascii=False)}",
            "      bot_says: []            # TODO: wat moet het antwoord zeggen?",
            "      # not_in_leaflet: true  # of: de folders beantwoorden dit niet",
        ]
    return "\n".join(lines) + "\n"


def _write(path: str, columns: Sequence[str], rows: Iterable[Dict[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=30, help="period to export (default 30)")
    parser.add_argument("--out", default=os.path.join("results", "export"))
    parser.add_argument("--db-url", default=None,
                        help=f"SQLAlchemy URL (default: $DB_URL or {DEFAULT_DB_URL})")
    args = parser.parse_args(argv)

    url = args.db_url or os.environ.get("DB_URL") or DEFAULT_DB_URL
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):]):
        print(f"No database at {url[len('sqlite:///'):]}: exporting empty files.")
        fallback_rows, red_flag_rows = [], []
    else:
        fallback_rows, red_flag_rows = collect(url, args.days)

    os.makedirs(args.out, exist_ok=True)
    fallback_path = os.path.join(args.out, "fallback_questions.csv")
    red_flag_path = os.path.join(args.out, "red_flag_counts.csv")
    _write(fallback_path, FALLBACK_COLUMNS, fallback_rows)
    _write(red_flag_path, RED_FLAG_COLUMNS, red_flag_rows)
    tests_path = os.path.join(args.out, "unanswered_conversations.yml")
    with open(tests_path, "w", encoding="utf-8") as handle:
        handle.write(conversation_tests(fallback_rows))
    print(f"{len(fallback_rows)} fallback question(s) -> {fallback_path} "
          f"and, as conversation tests to fill in, {tests_path}")
    print(f"{sum(r['count'] for r in red_flag_rows)} red-flag message(s) on "
          f"{len({r['date'] for r in red_flag_rows})} day(s) -> {red_flag_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
