"""The one place the assistant reads the wall clock; actions take it as an attribute
so tests can hand them another clock."""
from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
