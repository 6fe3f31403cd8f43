"""UTC times for the store (what goes in is UTC, what SQLite gives back is tagged UTC), shown in the local zone."""

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


def local(moment: datetime, zone: str) -> datetime:
    """The moment in the deployment's time zone (settings.time_zone), for showing; the store keeps UTC."""
    from zoneinfo import ZoneInfo  # the tz database is read on first use, not at import

    return as_utc(moment).astimezone(ZoneInfo(zone))


def shown(moment: datetime | None, zone: str, *, with_time: bool = True) -> str:
    """How every page and export writes a time: 2026-03-01 17:00 in the deployment's zone; "" for none."""
    if moment is None:
        return ""
    return local(moment, zone).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
