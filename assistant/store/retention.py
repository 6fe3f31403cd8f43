"""Retention in the store: which conversations and audit entries have expired, and deleting them; never commits.

A conversation's last activity is its last message or, when counsellors worked on it, their last note, review,
plan change, assignment or handover, whichever is later. Conversations without casework expire after the shorter
period; with casework after the longer one. Deleting a conversation deletes everything hanging off it (messages,
assignment, handovers, reviews, notes, plan) through the database's ON DELETE CASCADE, so nothing is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, false, func, not_, or_, select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.models import (
    AuditEvent,
    CaseAssignment,
    CaseContact,
    CaseCorrection,
    CaseFollowUp,
    CaseHandover,
    CaseNote,
    CasePlan,
    Conversation,
    ConversationMessage,
    SuggestionReview,
)

__all__ = ["Cutoffs", "StorePurge", "expired", "purge_store"]

# Each casework table with the column that says when a counsellor last touched the case through it.
_CASEWORK = ((CaseAssignment, CaseAssignment.assigned_at), (CaseHandover, CaseHandover.at),
             (SuggestionReview, SuggestionReview.at), (CaseNote, CaseNote.at), (CasePlan, CasePlan.updated_at),
             (CaseCorrection, CaseCorrection.at), (CaseContact, CaseContact.consent_at),
             (CaseFollowUp, CaseFollowUp.set_at))


@dataclass(frozen=True)
class Cutoffs:
    """Rows whose last activity is before a cutoff have expired; None keeps that kind forever."""

    conversations: datetime | None = None
    casework: datetime | None = None
    audit: datetime | None = None


@dataclass(frozen=True)
class StorePurge:
    """How many rows expired (and were deleted, unless it was a dry run): counts only, never content."""

    conversations: int = 0  # without casework
    casework_conversations: int = 0
    messages: int = 0  # of all those conversations
    audit_events: int = 0

    @property
    def total(self) -> int:
        return self.conversations + self.casework_conversations + self.messages + self.audit_events


def _has_casework() -> ColumnElement[bool]:
    legacy = Conversation.counsellor_notes != ""  # the free-text notes column that predates case_notes
    return or_(legacy, *(exists().where(table.conversation_id == Conversation.id) for table, _at in _CASEWORK))


def _touched_since(cutoff: datetime) -> ColumnElement[bool]:
    return or_(*(exists().where(and_(table.conversation_id == Conversation.id, at >= cutoff))
                 for table, at in _CASEWORK))


def expired(cutoffs: Cutoffs) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(plain conversations expired, conversations with casework expired) as WHERE clauses on Conversation."""
    plain: ColumnElement[bool] = false()
    casework: ColumnElement[bool] = false()
    if cutoffs.conversations is not None:
        plain = and_(Conversation.updated_at < as_utc(cutoffs.conversations), not_(_has_casework()))
    if cutoffs.casework is not None:
        cut = as_utc(cutoffs.casework)
        casework = and_(Conversation.updated_at < cut, _has_casework(), not_(_touched_since(cut)))
    return plain, casework


def _count(session: Session, where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Conversation).where(where)) or 0)


def purge_store(session: Session, cutoffs: Cutoffs, *, dry_run: bool = False) -> StorePurge:
    """Count what has expired and, unless `dry_run`, delete it; the caller commits (or rolls back)."""
    plain, casework = expired(cutoffs)
    either = or_(plain, casework)
    messages = int(session.scalar(
        select(func.count()).select_from(ConversationMessage)
        .where(ConversationMessage.conversation_id.in_(select(Conversation.id).where(either)))) or 0)
    old_audit = AuditEvent.at < as_utc(cutoffs.audit) if cutoffs.audit is not None else false()
    found = StorePurge(
        conversations=_count(session, plain),
        casework_conversations=_count(session, casework),
        messages=messages,
        audit_events=int(session.scalar(select(func.count()).select_from(AuditEvent).where(old_audit)) or 0),
    )
    if dry_run:
        return found
    # Only when there is something to delete: a DELETE of nothing still takes SQLite's write lock.
    if found.conversations or found.casework_conversations:
        session.execute(delete(Conversation).where(either).execution_options(synchronize_session=False))
    if found.audit_events:
        session.execute(delete(AuditEvent).where(old_audit).execution_options(synchronize_session=False))
    session.flush()
    return found
