"""The audit log as the console pages through it: filters by actor and action, newest first, one page at a time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts.audit import list_events
from assistant.store.clock import as_utc

PER_PAGE = 50
# What the action filter offers: families first (a trailing .* takes the family), then single actions.
ACTIONS = (
    "upload.*", "index.*", "login.*", "user.*",
    "upload.validate", "upload.import", "upload.import.failed", "upload.undo",
    "index.refresh.start", "index.refresh.done", "index.refresh.failed", "index.rollback", "index.switch",
    "login", "login.failed", "login.locked", "logout",
    "user.create", "user.password", "user.deactivate",
    "retention.purge",
)


@dataclass(frozen=True)
class AuditRow:
    """One entry, ready to show: details flattened to (key, text) pairs."""

    id: int
    at: datetime
    actor: str | None
    action: str
    target: str
    details: list[tuple[str, str]]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_page(
    sessions: sessionmaker[Session], *, actor: str | None = None, action: str | None = None, page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """Entries for one page (1-based); one extra is read to know whether another page follows."""
    page = max(1, page)
    with sessions() as session:
        events = list_events(session, actor=actor or None, action=action or None, limit=per_page + 1,
                             offset=(page - 1) * per_page)
        rows = [AuditRow(e.id, as_utc(e.at), e.actor, e.action, e.target,
                         [(k, _text(v)) for k, v in sorted((e.detail or {}).items())])
                for e in events[:per_page]]
    return AuditPage(rows, page, per_page, has_next=len(events) > per_page)
