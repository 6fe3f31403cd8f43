"""Repository functions for case assignment, handovers and case notes; they never commit: callers own the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.models import CaseAssignment, CaseHandover, CaseNote

__all__ = ["add_note", "assign", "assignments_of", "get_assignment", "handovers", "list_notes"]



def get_assignment(session: Session, conversation_id: str) -> CaseAssignment | None:
    return session.get(CaseAssignment, conversation_id)


def assignments_of(session: Session, conversation_ids: Iterable[str]) -> dict[str, CaseAssignment]:
    """The current assignment of each of these conversations that has one (one query for a whole list page)."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    rows = session.scalars(select(CaseAssignment).where(CaseAssignment.conversation_id.in_(ids)))
    return {row.conversation_id: row for row in rows}


def assign(session: Session, conversation_id: str, *, to: str, note: str, now: datetime) -> CaseHandover:
    """Give the case to `to` and record the handover (from the previous counsellor, None if it had none)."""
    moment = as_utc(now)
    current = session.get(CaseAssignment, conversation_id)
    previous = current.counsellor if current is not None else None
    if current is None:
        session.add(CaseAssignment(conversation_id=conversation_id, counsellor=to, assigned_at=moment))
    else:
        current.counsellor, current.assigned_at = to, moment
    handover = CaseHandover(conversation_id=conversation_id, from_user=previous, to_user=to, note=note, at=moment)
    session.add(handover)
    session.flush()
    return handover


def handovers(session: Session, conversation_id: str) -> list[CaseHandover]:
    """The case's handovers, oldest first."""
    return list(session.scalars(
        select(CaseHandover).where(CaseHandover.conversation_id == conversation_id)
        .order_by(CaseHandover.at, CaseHandover.id)
    ))


def add_note(session: Session, conversation_id: str, *, author: str, text: str, now: datetime) -> CaseNote:
    note = CaseNote(conversation_id=conversation_id, author=author, text=text, at=as_utc(now))
    session.add(note)
    session.flush()
    return note


def list_notes(session: Session, conversation_id: str) -> list[CaseNote]:
    """The case's notes, newest first (id breaks ties between notes written in the same instant)."""
    return list(session.scalars(
        select(CaseNote).where(CaseNote.conversation_id == conversation_id)
        .order_by(CaseNote.at.desc(), CaseNote.id.desc())
    ))
