"""Conversation store and lock store chosen by environment variables (endpoints.yml).

Embedded default: SQLite under var/ and in-memory locks (one server).
Production: DB_URL (or DB_DIALECT/DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD)
for PostgreSQL, and REDIS_URL for Redis locks so several Rasa servers can serve
the same conversations. Events are masked before they are stored
(addons/masking_tracker_store.py).
"""
from __future__ import annotations

import logging
from typing import Any, Optional, Text
from urllib.parse import urlparse

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.shared.core.domain import Domain

from addons import rasa_speedups
from addons.masking_tracker_store import MaskingSQLTrackerStore

logger = logging.getLogger(__name__)

# Every Rasa server loads this module (endpoints.yml): the place to fix Rasa's
# per-turn re-validation of the action response schema (addons/rasa_speedups.py).
rasa_speedups.apply()


def _value(v: Any) -> Optional[str]:
    """Environment variables that are unset in endpoints.yml arrive as ''."""
    return None if v is None or str(v).strip() == "" else str(v)


class EnvSQLTrackerStore(MaskingSQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        db_url: Optional[Text] = None,
        dialect: Optional[Text] = None,
        host: Optional[Text] = None,
        port: Any = None,
        db: Optional[Text] = None,
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        if _value(db_url):
            from sqlalchemy.engine import make_url

            url = make_url(db_url)
            dialect, host, port = url.drivername, url.host, url.port
            db, username, password = url.database, url.username, url.password
        dialect = _value(dialect) or "sqlite"
        port = int(port) if _value(port) else None
        logger.info("Conversation store: %s%s", dialect,
                    f" on {host}" if _value(host) else f" file {db}")
        super().__init__(
            domain=domain, dialect=dialect, host=_value(host), port=port,
            db=_value(db) or "var/conversations.db", username=_value(username),
            password=_value(password), **kwargs,
        )


class AtomicRedisLockStore(RedisLockStore):
    """Rasa 3.6's ``RedisLockStore`` with its read-modify-write steps made atomic.

    Rasa issues and returns tickets with a plain GET, change, SET of one Redis key.
    Two servers receiving a message for the same conversation at the same moment
    can both read the lock before either writes it, get the same ticket and process
    the conversation at once; ``SQLTrackerStore.save`` then drops one turn's events
    (tests/persistence: about 4 in 10 bursts of 4 simultaneous messages lost one).
    Here each of those steps runs under a short Redis mutex (SET NX with expiry).
    """

    def _mutex(self, conversation_id: Text) -> Any:
        return self.red.lock(f"mutex:{self.key_prefix}{conversation_id}",
                             timeout=10, blocking_timeout=10, sleep=0.005)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)


class EnvLockStore:
    """Factory: AtomicRedisLockStore when redis_url is set, InMemoryLockStore otherwise."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        kwargs = getattr(endpoint_config, "kwargs", {}) or {}
        redis_url = _value(kwargs.get("redis_url"))
        if not redis_url:
            logger.info("Lock store: in memory (single server)")
            return InMemoryLockStore()
        url = urlparse(redis_url)
        db = int(url.path.strip("/") or 1)
        logger.info("Lock store: Redis on %s:%s db %s", url.hostname, url.port or 6379, db)
        return AtomicRedisLockStore(
            host=url.hostname or "localhost", port=url.port or 6379, db=db,
            username=url.username, password=url.password, use_ssl=url.scheme == "rediss",
        )
