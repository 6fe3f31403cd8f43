"""Repository functions for case assignment, handovers and case notes; they never commit: callers own the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.models import CaseAssignment, CaseContact, CaseFollowUp, CaseHandover, CaseNote

__all__ = ["add_note", "assign", "assignments_of", "follow_ups_of", "get_assignment", "get_contact", "get_follow_up",
           "handovers", "list_notes", "set_contact", "set_follow_up"]



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


# -- the person's name and contact (given with consent) and the follow-up date (0007) ------------------------------

def get_contact(session: Session, conversation_id: str) -> CaseContact | None:
    return session.get(CaseContact, conversation_id)


def set_contact(session: Session, conversation_id: str, *, display_name: str, contact: str, by: str,
                now: datetime) -> CaseContact | None:
    """Record (or replace) the name and contact; both empty removes the row, so nothing is kept that was withdrawn."""
    row = session.get(CaseContact, conversation_id)
    if not (display_name or contact):
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    if row is None:
        row = CaseContact(conversation_id=conversation_id, display_name="", contact="", consent_at=as_utc(now),
                          recorded_by=by)
        session.add(row)
    row.display_name, row.contact, row.consent_at, row.recorded_by = display_name, contact, as_utc(now), by
    session.flush()
    return row


def get_follow_up(session: Session, conversation_id: str) -> CaseFollowUp | None:
    return session.get(CaseFollowUp, conversation_id)


def set_follow_up(session: Session, conversation_id: str, *, due: date | None, note: str, owner: str,
                  now: datetime) -> CaseFollowUp | None:
    """Set (or move) the follow-up date; None clears it."""
    row = session.get(CaseFollowUp, conversation_id)
    if due is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    if row is None:
        row = CaseFollowUp(conversation_id=conversation_id, due=due, note=note, owner=owner, set_at=as_utc(now))
        session.add(row)
    row.due, row.note, row.owner, row.set_at = due, note, owner, as_utc(now)
    session.flush()
    return row


def follow_ups_of(session: Session, owner: str, *, limit: int = 100) -> list[CaseFollowUp]:
    """The owner's follow-ups, soonest (most overdue) first."""
    return list(session.scalars(
        select(CaseFollowUp).where(CaseFollowUp.owner == owner)
        .order_by(CaseFollowUp.due, CaseFollowUp.conversation_id).limit(limit)
    ))
