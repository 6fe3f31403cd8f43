"""Reading cases: the sessions list, one session's whole picture, and what changed since the live page last asked."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.accounts.users import list_users
from assistant.casework.errors import CaseError
from assistant.casework.plan import PlanItem
from assistant.casework.suggestions import Suggestion, suggestions_of
from assistant.casework.views import (
    PHASES, ContactView, CorrectionView, FollowUpRow, FollowUpView, HandoverView, LiveUpdate, MessageView, NoteView,
    Person, PlanView, ReviewView, SearchResult, SessionDetail, SessionFilter, SessionRow, SkillView, SuggestionView,
)
from assistant.dialogue.access import Access
from assistant.dialogue.saved import build_plan
from assistant.errors import NotFoundError
from assistant.understanding.profile import Profile
from assistant.store.case_search import search_conversations
from assistant.store.conversation_keys import display_case_code
from assistant.store.cases import (
    assignments_of, follow_ups_of, get_assignment, get_contact, get_follow_up, handovers, list_notes,
)
from assistant.store.corrections import list_corrections
from assistant.store.clock import as_utc
from assistant.store.conversations import get_conversation, recent_messages
from assistant.store.models import CasePlan, Conversation, ConversationMessage
from assistant.store.plans import get_plan
from assistant.store.reviews import review_history

MAX_MESSAGES = 500  # a session page shows this many of the newest messages
MAX_TERMS = 8
UNASSIGNED = "-"


def people(session: Session) -> dict[str, Person]:
    return {u.username: Person(u.username, u.display_name or u.username) for u in list_users(session)}


def person(names: dict[str, Person], username: str | None) -> Person | None:
    if not username:
        return None
    return names.get(username) or Person(username, username)  # a name the accounts table no longer knows


def _day(text: str, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CaseError("search_date", f"{field}: '{text}' is not a date (YYYY-MM-DD)", value=text) from None


def parse_filter(q: str = "", phase: str = "", assigned: str = "", since: str = "", until: str = "") -> SessionFilter:
    """The list page's form, checked: unknown phases and malformed dates are refused, not ignored."""
    terms = tuple(q.split())
    if len(terms) > MAX_TERMS:
        raise CaseError("search_terms", f"q: {len(terms)} words; search with at most {MAX_TERMS}", limit=MAX_TERMS)
    if phase and phase not in PHASES:
        raise CaseError("search_phase", f"phase: '{phase}' is not one of {', '.join(PHASES)}", value=phase)
    first, last = _day(since, "since"), _day(until, "until")
    if first and last and first > last:
        raise CaseError("search_range", f"since {first} is after until {last}")
    return SessionFilter(terms=terms, phase=phase, assigned=assigned.strip().lower(), since=first, until=last)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def search(session: Session, f: SessionFilter) -> SearchResult:
    """Consented sessions matching the filter, newest activity first, with what the list shows of each."""
    found = search_conversations(
        session, terms=f.terms, phase=f.phase or None,
        assigned_to=f.assigned if f.assigned not in ("", UNASSIGNED) else None,
        unassigned=f.assigned == UNASSIGNED,
        since=_midnight(f.since) if f.since else None,
        until=_midnight(f.until + timedelta(days=1)) if f.until else None, limit=f.limit)
    ids = [c.id for c in found.conversations]
    names = people(session)
    assigned = assignments_of(session, ids)
    plans = dict(session.execute(select(CasePlan.conversation_id, CasePlan.status)
                                 .where(CasePlan.conversation_id.in_(ids))).all()) if ids else {}
    first_said = _first_user_messages(session, ids)
    rows = []
    for c in found.conversations:
        profile = Profile.from_dict((c.state or {}).get("profile"))
        summary = "、".join(e.what for e in profile.experience if e.what) or first_said.get(c.id, "")
        a = assigned.get(c.id)
        rows.append(SessionRow(c.id, as_utc(c.created_at), as_utc(c.updated_at), c.language, c.phase,
                               person(names, a.counsellor) if a else None, [s.label for s in profile.skills],
                               summary[:120], plans.get(c.id), display_case_code(c.case_code)))
    return SearchResult(rows, found.more)


def _first_user_messages(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    first = (select(ConversationMessage.conversation_id, func.min(ConversationMessage.ordinal).label("o"))
             .where(ConversationMessage.conversation_id.in_(ids), ConversationMessage.role == "user")
             .group_by(ConversationMessage.conversation_id).subquery())
    rows = session.execute(select(ConversationMessage.conversation_id, ConversationMessage.text).join(
        first, (ConversationMessage.conversation_id == first.c.conversation_id)
        & (ConversationMessage.ordinal == first.c.o)))
    return {cid: text for cid, text in rows}



def consented(session: Session, conversation_id: str, *, for_update: bool = False) -> Conversation:
    """The conversation, if its person agreed that counsellors may see it; a 404 otherwise (nothing is kept)."""
    conv = get_conversation(session, conversation_id, for_update=for_update)
    if conv is None or not conv.consent:
        raise NotFoundError(f"no session '{conversation_id}' that a counsellor may open "
                            "(it may have been deleted, or its person has not agreed)")
    return conv


def last_ordinal(session: Session, conversation_id: str) -> int:
    return session.scalar(select(func.max(ConversationMessage.ordinal))
                          .where(ConversationMessage.conversation_id == conversation_id)) or 0


def version_of(conv: Conversation, last: int) -> str:
    """Changes whenever what the job seeker's side shows changes: messages, phase, profile, recommendations."""
    state = conv.state or {}
    blob = json.dumps([conv.phase, last, state.get("profile"), state.get("last")], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _message(m: ConversationMessage) -> MessageView:
    return MessageView(m.ordinal, m.role, m.text, m.language, as_utc(m.created_at))


def _skills(profile: Profile, messages: list[MessageView]) -> list[SkillView]:
    said = [m for m in messages if m.role == "user"]
    out = []
    for s in profile.skills:
        source = next((m for m in said if s.evidence and s.evidence in m.text), None)
        out.append(SkillView(s.id, s.label, s.scheme, s.code, s.uri, s.evidence, s.confidence, s.confirmed, s.origin,
                             source.ordinal if source else None, source.text if source else ""))
    return out


def detail(session: Session, conversation_id: str, *, today: date | None = None) -> SessionDetail:
    """The whole session; `today` (the deployment's) decides whether the follow-up is overdue."""
    conv = consented(session, conversation_id)
    names = people(session)
    messages = [_message(m) for m in recent_messages(session, conv.id, limit=MAX_MESSAGES)]
    profile_data = dict((conv.state or {}).get("profile") or {})
    profile = Profile.from_dict(profile_data)
    current = suggestions_of(build_plan(session, conv.id, Access(staff=True)))
    history = review_history(session, conv.id)
    latest: dict[tuple[str, str], Any] = {}
    for r in history:
        latest[(r.kind, r.ref)] = r
    reviews = {key: _review(r, names) for key, r in latest.items()}
    row = get_plan(session, conv.id)
    plan = _plan(row, names)
    planned = {(i.suggestion_kind, i.ref) for i in plan.items if i.kind in ("suggestion", "goal")}
    views = [SuggestionView(s, reviews.get((s.kind, s.ref)), (s.kind, s.ref) in planned, True) for s in current]
    shown = {(s.kind, s.ref) for s in current}
    for key, r in latest.items():  # approved earlier and since dropped from the recommendations: still plannable
        if key not in shown and r.decision == "approved":
            views.append(SuggestionView(Suggestion.from_snapshot(r.snapshot), reviews[key], key in planned, False))
    a = get_assignment(session, conv.id)
    last = last_ordinal(session, conv.id)
    return SessionDetail(
        id=conv.id, language=conv.language, phase=conv.phase, consent=conv.consent,
        created_at=as_utc(conv.created_at), updated_at=as_utc(conv.updated_at), version=version_of(conv, last),
        assigned=person(names, a.counsellor) if a else None, assigned_at=as_utc(a.assigned_at) if a else None,
        handovers=[HandoverView(person(names, h.from_user), person(names, h.to_user) or Person(h.to_user, h.to_user),
                                h.note, as_utc(h.at)) for h in reversed(handovers(session, conv.id))],
        profile=profile_data, skills=_skills(profile, messages), messages=messages, suggestions=views,
        reviews=[_review(r, names) for r in reversed(history)],
        notes=[NoteView(n.id, person(names, n.author) or Person(n.author, n.author), n.text, as_utc(n.at))
               for n in list_notes(session, conv.id)],
        plan=plan, last_ordinal=last, contact=_contact(session, conv.id, names),
        follow_up=_follow_up(session, conv.id, names, today or datetime.now(timezone.utc).date()), corrections=_corrections(session, conv.id, names),
        case_code=display_case_code(conv.case_code))


def _contact(session: Session, conversation_id: str, names: dict[str, Person]) -> ContactView | None:
    row = get_contact(session, conversation_id)
    if row is None:
        return None
    return ContactView(row.display_name, row.contact, as_utc(row.consent_at),
                       person(names, row.recorded_by) or Person(row.recorded_by, row.recorded_by))


def _follow_up(session: Session, conversation_id: str, names: dict[str, Person], today: date) -> FollowUpView | None:
    row = get_follow_up(session, conversation_id)
    if row is None:
        return None
    return FollowUpView(row.due, row.note, person(names, row.owner) or Person(row.owner, row.owner), row.due < today)


def _line_text(new: dict[str, Any]) -> str:
    """A stored line in words: a skill's label, an experience's words, a goal's occupation or words."""
    if not new:
        return ""
    occupation = new.get("occupation")
    if isinstance(occupation, dict) and "what" not in new:
        return str(occupation.get("title") or "")
    return str(new.get("label") or new.get("what") or new.get("text") or "")


def _corrections(session: Session, conversation_id: str, names: dict[str, Person]) -> list[CorrectionView]:
    rows = list_corrections(session, conversation_id)
    return [CorrectionView(r.field, r.old.split(":", 2)[-1] if r.field == "goal" else r.old, _line_text(r.new),
                           r.note, person(names, r.by) or Person(r.by, r.by), as_utc(r.at)) for r in reversed(rows)]


def follow_ups(session: Session, username: str, *, today: date) -> list[FollowUpRow]:
    """The counsellor's follow-ups on cases a counsellor may still open, soonest (most overdue) first."""
    rows = follow_ups_of(session, username)
    ids = [f.conversation_id for f in rows]
    convs = {c.id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(ids),
                                                                          Conversation.consent.is_(True)))} if ids else {}
    first_said = _first_user_messages(session, list(convs))
    out = []
    for f in rows:
        conv = convs.get(f.conversation_id)
        if conv is None:
            continue
        contact = get_contact(session, conv.id)
        profile = Profile.from_dict((conv.state or {}).get("profile"))
        summary = "、".join(e.what for e in profile.experience if e.what) or first_said.get(conv.id, "")
        out.append(FollowUpRow(conv.id, f.due, f.note, f.due < today, f.due == today,
                               contact.display_name if contact else "", summary[:80]))
    return out


def _review(r: Any, names: dict[str, Person]) -> ReviewView:
    return ReviewView(r.kind, r.ref, r.decision, r.note, person(names, r.reviewer) or Person(r.reviewer, r.reviewer),
                      as_utc(r.at), (r.snapshot or {}).get("title", r.ref))


def _plan(row: CasePlan | None, names: dict[str, Person]) -> PlanView:
    if row is None:
        return PlanView("none", [])
    return PlanView(row.status, [PlanItem.of(i) for i in row.items or []], as_utc(row.updated_at),
                    person(names, row.updated_by), as_utc(row.agreed_at) if row.agreed_at else None,
                    person(names, row.agreed_by))


def live(session: Session, conversation_id: str, *, after: int, version: str, today: date | None = None) -> LiveUpdate:
    """Messages after ordinal `after`; the whole detail only when the version the page has is out of date."""
    conv = consented(session, conversation_id)
    current = version_of(conv, last_ordinal(session, conv.id))
    new = session.scalars(select(ConversationMessage)
                          .where(ConversationMessage.conversation_id == conv.id, ConversationMessage.ordinal > after)
                          .order_by(ConversationMessage.ordinal).limit(MAX_MESSAGES)).all()
    messages = [_message(m) for m in new]
    if current == version:
        return LiveUpdate(current, False, conv.phase, messages)
    return LiveUpdate(current, True, conv.phase, messages, detail(session, conv.id, today=today))
