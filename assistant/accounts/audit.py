"""The audit log: who did what to what, and when. Repository functions that never commit.

Written in the same transaction as the change it records, so a change is never without its entry
(and a rolled-back change leaves none). Details never hold passwords: keys that look like one are refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.models import AuditEvent

__all__ = ["list_events", "record"]

_SECRET_WORDS = ("password", "passwd", "token", "secret")
_TARGET_CHARS = 200  # the column's size; an over-long attempted username is cut, not an error


def record(
    session: Session,
    actor: str | None,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    now: datetime,
) -> AuditEvent:
    """Add one entry; `actor` is a username, or None for the system and the command line."""
    detail = dict(detail or {})
    leaked = [key for key in detail if any(word in key.lower() for word in _SECRET_WORDS)]
    if leaked:
        raise ValueError(f"audit detail must not carry secrets: {sorted(leaked)}")
    event = AuditEvent(at=as_utc(now), actor=actor, action=action, target=target[:_TARGET_CHARS], detail=detail)
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEvent]:
    """Entries newest first, narrowed by any of actor, action (a trailing '.*' matches a family), target and time."""
    query = select(AuditEvent)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    if action is not None:
        if action.endswith(".*"):
            family = action[:-2]
            in_family = AuditEvent.action.startswith(f"{family}.", autoescape=True)
            query = query.where((AuditEvent.action == family) | in_family)
        else:
            query = query.where(AuditEvent.action == action)
    if target is not None:
        query = query.where(AuditEvent.target == target)
    if since is not None:
        query = query.where(AuditEvent.at >= as_utc(since))
    if until is not None:
        query = query.where(AuditEvent.at < as_utc(until))
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))
