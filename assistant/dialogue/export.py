"""A person's data, exported: everything the store holds for one conversation, as one JSON document.

What the job seeker said and was told (every message with its cards), the dialogue state (profile, last
recommendations, anything held while consent was asked), and what counsellors added: the assignment and its
handovers, their reviews of the suggestions, their notes, the plan, and the audit entries that name the
conversation (who did what to it, never their words). Deleting the conversation removes all of it except those
audit entries, which hold no personal data and are purged with the rest of the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.dialogue.access import Access, open_conversation
from assistant.store.cases import get_assignment, get_contact, get_follow_up, handovers, list_notes
from assistant.store.clock import as_utc, utc_now
from assistant.store.conversation_keys import display_case_code
from assistant.store.corrections import list_corrections
from assistant.store.models import AuditEvent, ConversationMessage
from assistant.store.plans import get_plan
from assistant.store.reviews import review_history

FORMAT = "skillpath-conversation-export/1"


def _when(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def conversation_export(session: Session, conversation_id: str, access: Access, *, now: datetime) -> dict[str, Any]:
    """The document for one conversation; NotFoundError when there is none (never was, or deleted) or this access
    may not open it."""
    conv = open_conversation(session, conversation_id, access)
    messages = session.scalars(select(ConversationMessage).where(ConversationMessage.conversation_id == conv.id)
                               .order_by(ConversationMessage.ordinal))
    assignment = get_assignment(session, conv.id)
    plan = get_plan(session, conv.id)
    events = session.scalars(select(AuditEvent).where(AuditEvent.target == f"conversation:{conv.id}")
                             .order_by(AuditEvent.at, AuditEvent.id))
    state = dict(conv.state or {})
    return {
        "format": FORMAT,
        "exported_at": _when(now),
        "conversation": {
            "id": conv.id, "created_at": _when(conv.created_at), "updated_at": _when(conv.updated_at),
            "language": conv.language, "phase": conv.phase, "consent": conv.consent,
            "case_code": display_case_code(conv.case_code),
        },
        "profile": dict(state.get("profile") or {}),
        "state": state,
        "messages": [{"ordinal": m.ordinal, "role": m.role, "text": m.text, "language": m.language, "phase": m.phase,
                      "cards": list(m.cards or []), "created_at": _when(m.created_at)} for m in messages],
        "casework": {
            "counsellor_notes": conv.counsellor_notes or "",
            "assignment": None if assignment is None else {"counsellor": assignment.counsellor,
                                                           "assigned_at": _when(assignment.assigned_at)},
            "handovers": [{"from": h.from_user, "to": h.to_user, "note": h.note, "at": _when(h.at)}
                          for h in handovers(session, conv.id)],
            "reviews": [{"kind": r.kind, "ref": r.ref, "decision": r.decision, "note": r.note, "reviewer": r.reviewer,
                         "at": _when(r.at), "suggestion": dict(r.snapshot or {})}
                        for r in review_history(session, conv.id)],
            "notes": [{"author": n.author, "text": n.text, "at": _when(n.at)}
                      for n in reversed(list_notes(session, conv.id))],  # oldest first, like the messages
            "plan": None if plan is None else {
                "status": plan.status, "items": list(plan.items or []), "updated_at": _when(plan.updated_at),
                "updated_by": plan.updated_by, "agreed_at": _when(plan.agreed_at), "agreed_by": plan.agreed_by},
            **_casework_loop(session, conv.id),
        },
        "audit": [{"at": _when(e.at), "actor": e.actor, "action": e.action, "detail": dict(e.detail or {})}
                  for e in events],
    }


def _casework_loop(session: Session, conversation_id: str) -> dict[str, Any]:
    """The name and contact given with consent, the follow-up date, and counsellors' corrections (who, why)."""
    contact, follow_up = get_contact(session, conversation_id), get_follow_up(session, conversation_id)
    return {
        "contact": None if contact is None else {
            "display_name": contact.display_name, "contact": contact.contact,
            "consent_at": _when(contact.consent_at), "recorded_by": contact.recorded_by},
        "follow_up": None if follow_up is None else {
            "due": follow_up.due.isoformat(), "note": follow_up.note, "owner": follow_up.owner,
            "set_at": _when(follow_up.set_at)},
        "corrections": [{"field": c.field, "old": c.old, "new": dict(c.new or {}), "note": c.note, "by": c.by,
                         "at": _when(c.at)} for c in list_corrections(session, conversation_id)],
    }


def export_conversation(sessions: sessionmaker[Session], conversation_id: str, access: Access, *,
                        clock: Callable[[], datetime] = utc_now) -> dict[str, Any]:
    """The export; reading it changes nothing."""
    with sessions() as session:
        return conversation_export(session, conversation_id, access, now=clock())
