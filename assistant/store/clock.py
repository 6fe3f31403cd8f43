"""UTC times for the store: what goes in is UTC, what comes back from SQLite is tagged as UTC."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """Now, in UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Naive times are UTC (SQLite stores them as text without an offset and compares them as text)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
