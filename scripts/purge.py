"""Delete old conversations from the SQL tracker store (retention period).

    python scripts/purge.py --days 30 [--db-url URL] [--dry-run] [--vacuum]

A conversation is every event of one ``sender_id`` in Rasa's ``events`` table.
It is deleted, completely, when its LAST event is older than ``--days`` days;
conversations with any newer event are kept whole. The database comes from
``--db-url``, else the environment variable ``DB_URL``, else
``sqlite:///var/conversations.db``.

On SQLite ``secure_delete`` is switched on, so the deleted text is overwritten
in the file instead of lingering in free pages; ``--vacuum`` also shrinks the
file. Run it daily (cron / systemd timer); see docs/privacy.md.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Optional, Sequence, Tuple

import sqlalchemy as sa

DEFAULT_DB_URL = "sqlite:///var/conversations.db"

# one statement, so a conversation that gets a new message while purging is
# either deleted completely before it or kept completely
_OLD_SENDERS = (
    "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"
)


def db_url_from(arg: Optional[str]) -> str:
    return arg or os.environ.get("DB_URL") or DEFAULT_DB_URL


def purge(db_url: str, days: float, dry_run: bool = False, vacuum: bool = False,
          now: Optional[float] = None) -> Tuple[int, int]:
    """Deletes conversations idle for more than ``days``; returns (conversations, events)."""
    cutoff = (time.time() if now is None else now) - days * 86400
    engine = sa.create_engine(db_url)
    try:
        if not sa.inspect(engine).has_table("events"):
            return 0, 0
        sqlite = engine.dialect.name == "sqlite"
        with engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA secure_delete = ON")
            conversations, events = conn.execute(
                sa.text(
                    f"SELECT COUNT(DISTINCT sender_id), COUNT(*) FROM events "
                    f"WHERE sender_id IN ({_OLD_SENDERS})"
                ),
                {"cutoff": cutoff},
            ).one()
            if not dry_run and events:
                conn.execute(
                    sa.text(f"DELETE FROM events WHERE sender_id IN ({_OLD_SENDERS})"),
                    {"cutoff": cutoff},
                )
        if vacuum and sqlite and not dry_run:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM")
        return int(conversations or 0), int(events or 0)
    finally:
        engine.dispose()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, required=True,
                        help="delete conversations whose last event is older than this")
    parser.add_argument("--db-url", default=None,
                        help=f"SQLAlchemy URL (default: $DB_URL or {DEFAULT_DB_URL})")
    parser.add_argument("--dry-run", action="store_true", help="only count")
    parser.add_argument("--vacuum", action="store_true", help="SQLite: VACUUM afterwards")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must be 0 or more")

    url = db_url_from(args.db_url)
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):]):
        print(f"No database at {url[len('sqlite:///'):]}: nothing to purge.")
        return 0
    conversations, events = purge(url, args.days, dry_run=args.dry_run, vacuum=args.vacuum)
    verb = "Would remove" if args.dry_run else "Removed"
    print(f"{verb} {conversations} conversation(s) with {events} event(s) "
          f"whose last event is older than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
