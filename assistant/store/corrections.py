"""Repository functions for counsellors' corrections of a profile; they never commit: callers own the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.models import CaseCorrection

__all__ = ["CORRECTION_FIELDS", "add_correction", "list_corrections"]

CORRECTION_FIELDS = ("skill", "experience", "goal")


def add_correction(session: Session, conversation_id: str, *, field: str, old: str, new: dict[str, Any] | None,
                   note: str, by: str, now: datetime) -> CaseCorrection:
    """Append a correction; `new` None (or empty) means the line was removed, `old` "" that it was added."""
    if field not in CORRECTION_FIELDS:
        raise ValueError(f"correction field {field!r}: one of {', '.join(CORRECTION_FIELDS)}")
    row = CaseCorrection(conversation_id=conversation_id, field=field, old=old, new=dict(new or {}), note=note,
                         by=by, at=as_utc(now))
    session.add(row)
    session.flush()
    return row


def list_corrections(session: Session, conversation_id: str) -> list[CaseCorrection]:
    """The conversation's corrections, oldest first: applied in this order, a later one wins."""
    return list(session.scalars(
        select(CaseCorrection).where(CaseCorrection.conversation_id == conversation_id)
        .order_by(CaseCorrection.at, CaseCorrection.id)
    ))
