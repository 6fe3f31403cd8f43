"""What the console shows, as plain dataclasses: no ORM rows leave the casework service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from assistant.casework.plan import PlanItem
from assistant.casework.suggestions import Suggestion
from assistant.dialogue.state import PHASES  # one list of phases: the dialogue's

__all__ = ["PHASES"]


@dataclass(frozen=True)
class Person:
    """A console user as shown next to what they did."""

    username: str
    display_name: str

    @property
    def label(self) -> str:
        return self.display_name if self.display_name == self.username else f"{self.display_name} ({self.username})"


@dataclass(frozen=True)
class SessionFilter:
    """A search of the sessions list: words or id prefixes, phase, assignee ("" anyone, "-" nobody), activity dates."""

    terms: tuple[str, ...] = ()
    phase: str = ""
    assigned: str = ""
    since: date | None = None
    until: date | None = None  # inclusive: the whole day
    limit: int = 100


@dataclass(frozen=True)
class SessionRow:
    id: str
    created_at: datetime
    updated_at: datetime
    language: str
    phase: str
    assigned: Person | None
    skills: list[str]
    summary: str  # the experience in the person's words, or their first message
    plan_status: str | None
    case_code: str = ""  # as the person sees it: "K7M-2QX"


@dataclass(frozen=True)
class SearchResult:
    rows: list[SessionRow]
    more: bool


@dataclass(frozen=True)
class SkillView:
    """A skill with what backs it: the person's words (and the message they came from), the taxonomy anchor."""

    id: str
    label: str
    scheme: str | None
    code: str | None
    uri: str | None
    evidence: str
    confidence: float
    confirmed: bool
    origin: str
    said_in: int | None = None  # ordinal of the person's message holding the evidence
    said: str = ""  # that message


@dataclass(frozen=True)
class MessageView:
    ordinal: int
    role: str
    text: str
    language: str
    at: datetime


@dataclass(frozen=True)
class ReviewView:
    kind: str
    ref: str
    decision: str
    note: str
    reviewer: Person
    at: datetime
    title: str


@dataclass(frozen=True)
class SuggestionView:
    """A suggestion with the decision that counts on it, and whether it is in the plan."""

    suggestion: Suggestion
    review: ReviewView | None
    planned: bool
    current: bool  # in the latest recommendations (False: kept because it was approved earlier)


@dataclass(frozen=True)
class NoteView:
    id: int
    author: Person
    text: str
    at: datetime


@dataclass(frozen=True)
class HandoverView:
    from_user: Person | None
    to_user: Person
    note: str
    at: datetime


@dataclass(frozen=True)
class PlanView:
    status: str  # none | draft | agreed
    items: list[PlanItem]
    updated_at: datetime | None = None
    updated_by: Person | None = None
    agreed_at: datetime | None = None
    agreed_by: Person | None = None

    @property
    def has_sample(self) -> bool:
        return any(i.sample for i in self.items)

    @property
    def goals(self) -> list[PlanItem]:
        """What the plan aims at: occupations."""
        return [i for i in self.items if i.is_goal]

    @property
    def steps(self) -> list[PlanItem]:
        """The actions, in date order (the order items are stored in)."""
        return sorted((i for i in self.items if not i.is_goal), key=lambda i: i.target_date or "9999-12-31")


@dataclass(frozen=True)
class CorrectionView:
    """A counsellor's correction of a profile line: which line, what it became ("" removed), who and why."""

    field: str
    old: str
    new: str
    note: str
    by: Person
    at: datetime


@dataclass(frozen=True)
class ContactView:
    """The name and contact the person chose to give, and who recorded their consent when."""

    display_name: str
    contact: str
    consent_at: datetime
    recorded_by: Person


@dataclass(frozen=True)
class FollowUpView:
    due: date
    note: str
    owner: Person
    overdue: bool


@dataclass(frozen=True)
class FollowUpRow:
    """One line of "my follow-ups" on the console's home page."""

    id: str
    due: date
    note: str
    overdue: bool
    today: bool
    name: str  # the person's name when they gave one, else ""
    summary: str


@dataclass(frozen=True)
class SessionDetail:
    id: str
    language: str
    phase: str
    consent: bool | None
    created_at: datetime
    updated_at: datetime
    version: str  # changes whenever the job seeker's side changes; the live page polls for it
    assigned: Person | None
    assigned_at: datetime | None
    handovers: list[HandoverView]
    profile: dict[str, Any]
    skills: list[SkillView]
    messages: list[MessageView]
    suggestions: list[SuggestionView]
    reviews: list[ReviewView]  # every decision, newest first
    notes: list[NoteView]
    plan: PlanView
    last_ordinal: int = 0
    contact: ContactView | None = None
    follow_up: FollowUpView | None = None
    corrections: list[CorrectionView] = field(default_factory=list)  # newest first
    case_code: str = ""  # as the person sees it: "K7M-2QX"

    @property
    def approved(self) -> list[SuggestionView]:
        """Approved suggestions not yet in the plan: what the plan form offers."""
        return [s for s in self.suggestions if s.review and s.review.decision == "approved" and not s.planned]


@dataclass(frozen=True)
class LiveUpdate:
    """What the live page needs after `after`: new messages, and the whole detail when the version moved."""

    version: str
    changed: bool
    phase: str
    messages: list[MessageView]
    detail: SessionDetail | None = None
