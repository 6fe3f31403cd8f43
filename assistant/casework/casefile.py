"""The case file around a conversation: the name and contact the person chose to give, and the follow-up date.

A mixin of Casework (it uses its sessions, clock and time zone), kept apart so each module holds one concept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.casework import plan as plan_items
from assistant.casework import reading
from assistant.casework.errors import CaseError, checked_text, target
from assistant.casework.views import FollowUpRow
from assistant.store.cases import set_contact, set_follow_up
from assistant.store.clock import local

MAX_CONTACT = 200
MAX_FOLLOW_UP_NOTE = 1000


class CaseFile:
    """Contact and follow-up for Casework: it brings `sessions`, `clock` and `time_zone`."""

    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    time_zone: str

    def today(self) -> date:
        """The deployment's today (settings.time_zone): what a follow-up date is compared with."""
        return local(self.clock(), self.time_zone).date()

    def set_contact(self, conversation_id: str, display_name: str, contact: str, consent: bool, *,
                    actor: str) -> None:
        """Record the name and contact the person chose to give; without their consent nothing is kept. Both empty
        removes them. The audit entry says only that it changed, never the values."""
        name = checked_text(display_name, limit=MAX_CONTACT, code="contact_name", what="the name", required=False)
        reach = checked_text(contact, limit=MAX_CONTACT, code="contact_how", what="the contact", required=False)
        if (name or reach) and not consent:
            raise CaseError("contact_consent", "tick that the person agreed to give their name and contact")
        now = self.clock()
        with self.sessions.begin() as s:
            conv = reading.consented(s, conversation_id)
            row = set_contact(s, conv.id, display_name=name, contact=reach, by=actor, now=now)
            audit.record(s, actor, "case.contact", target(conv.id), {"kept": row is not None}, now=now)

    def set_follow_up(self, conversation_id: str, due: str, note: str = "", *, actor: str) -> None:
        """Set (or move) when the counsellor gets back to the person; an empty date clears it. It is theirs."""
        day = plan_items.target_date(due)
        note = checked_text(note, limit=MAX_FOLLOW_UP_NOTE, code="follow_up_note", what="the note", required=False)
        now = self.clock()
        with self.sessions.begin() as s:
            conv = reading.consented(s, conversation_id)
            set_follow_up(s, conv.id, due=date.fromisoformat(day) if day else None, note=note, owner=actor, now=now)
            audit.record(s, actor, "case.follow_up", target(conv.id), {"due": day}, now=now)

    def follow_ups(self, username: str) -> list[FollowUpRow]:
        """The counsellor's follow-ups, most overdue first; "today" is the deployment's (settings.time_zone)."""
        with self.sessions() as s:
            return reading.follow_ups(s, username, today=self.today())
