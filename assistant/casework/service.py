"""The casework service the console routes call (and tests call directly): each change is one audited transaction.

Audit entries name the conversation, the skill, suggestion or plan item, and the decision; never the person's
words or a note's text, because the audit log outlives a conversation its person deletes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.accounts.users import get_by_username, list_users
from assistant.casework import plan as plan_items
from assistant.casework import lines, reading, skills
from assistant.casework.casefile import CaseFile
from assistant.casework.errors import CaseError, checked_text as _text, target as _target
from assistant.casework.lines import LINE_FIELDS, OccupationAnchor
from assistant.casework.skills import Anchor
from assistant.casework.suggestions import SUGGESTION_KINDS, Suggestion, suggestions_of
from assistant.casework.views import LiveUpdate, Person, SearchResult, SessionDetail, SessionFilter
from assistant.dialogue.access import Access
from assistant.dialogue.saved import build_plan
from assistant.guidance.corrections import line_dict
from assistant.understanding.profile import Profile, SkillClaim
from assistant.store.cases import add_note, assign, get_assignment
from assistant.store.corrections import add_correction
from assistant.store.conversations import set_state
from assistant.store.models import Conversation
from assistant.store.plans import get_plan, save_plan
from assistant.store.reviews import add_review, latest_reviews

CASE_ROLES = ("counsellor", "admin")
DECISIONS = ("approved", "rejected")
MAX_NOTE = 4000
MAX_REVIEW_NOTE = 1000
STAFF = Access(staff=True)  # counsellors open any consented conversation, without the person's key
# A profile change: what the audit entry says, and the correction the chat must honour (field, old key, new line).
Change = tuple[dict[str, Any], tuple[str, str, Any] | None]


def _skill_ref(claim: SkillClaim) -> str:
    # A text: id is the person's own words; the audit log keeps only that it was unanchored.
    return "text" if claim.id.startswith("text:") else claim.id


class Casework(CaseFile):
    """Runs without FastAPI. `anchor` maps typed skills to the taxonomy (GuidanceService.skill_from_form)."""

    def __init__(self, sessions: sessionmaker[Session], *, anchor: Anchor | None = None,
                 occupation: OccupationAnchor | None = None, clock: Callable[[], datetime] | None = None,
                 time_zone: str = "UTC") -> None:
        self.sessions = sessions
        self.anchor = anchor
        self.occupation = occupation  # reads an occupation from typed words (ProfileExtractor.occupation)
        self.time_zone = time_zone  # what "today" is for follow-ups (settings.time_zone)
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    # -- reading ---------------------------------------------------------------------------------------------

    def colleagues(self) -> list[Person]:
        """Who a case can be handed to: active counsellors and admins."""
        with self.sessions() as s:
            return [Person(u.username, u.display_name or u.username) for u in list_users(s, include_inactive=False)
                    if u.role in CASE_ROLES]

    def search(self, f: SessionFilter) -> SearchResult:
        with self.sessions() as s:
            return reading.search(s, f)

    def detail(self, conversation_id: str) -> SessionDetail:
        with self.sessions() as s:
            return reading.detail(s, conversation_id, today=self.today())

    def live(self, conversation_id: str, *, after: int = 0, version: str = "") -> LiveUpdate:
        with self.sessions() as s:
            return reading.live(s, conversation_id, after=max(0, after), version=version, today=self.today())

    def export(self, conversation_id: str, *, actor: str, fmt: str) -> SessionDetail:
        """The session for a plan export; the export itself is audited (personal data leaves the system)."""
        with self.sessions.begin() as s:
            found = reading.detail(s, conversation_id, today=self.today())
            audit.record(s, actor, "case.plan.export", _target(conversation_id),
                         {"format": fmt, "status": found.plan.status}, now=self.clock())
            return found

    # -- skills: written into the conversation's profile, where the chat reads them ------------------------------

    def _profile_change(self, conversation_id: str, actor: str, action: str, change: Callable[[Profile], Change],
                        note: str = "") -> None:
        note = _text(note, limit=MAX_REVIEW_NOTE, code="correction_note", what="the note", required=False)
        with self.sessions.begin() as s:
            # Locked like a chat turn, so a message arriving meanwhile neither loses this edit nor is lost.
            conv = reading.consented(s, conversation_id, for_update=True)
            state = dict(conv.state or {})
            profile = Profile.from_dict(state.get("profile"))
            detail, correction = change(profile)
            state["profile"] = profile.to_dict()
            set_state(conv, state)
            if correction is not None:  # who and why; the chat applies it from the person's next turn on
                field, old, new = correction
                add_correction(s, conv.id, field=field, old=old, new=line_dict(new), note=note, by=actor,
                               now=self.clock())
            audit.record(s, actor, action, _target(conv.id), detail, now=self.clock())

    def confirm_skill(self, conversation_id: str, skill_id: str, *, actor: str) -> None:
        self._profile_change(conversation_id, actor, "case.skill.confirm",
                             lambda p: ({"skill": _skill_ref(skills.confirm(p, skill_id))}, None))

    def edit_skill(self, conversation_id: str, skill_id: str, text: str, note: str = "", *, actor: str) -> None:
        def change(p: Profile) -> Change:
            old, new = skills.edit(p, skill_id, text, self.anchor)
            return {"skill": _skill_ref(old), "to": _skill_ref(new)}, ("skill", old.id, new)

        self._profile_change(conversation_id, actor, "case.skill.edit", change, note)

    def remove_skill(self, conversation_id: str, skill_id: str, note: str = "", *, actor: str) -> None:
        def change(p: Profile) -> Change:
            old = skills.remove(p, skill_id)
            return {"skill": _skill_ref(old)}, ("skill", old.id, None)

        self._profile_change(conversation_id, actor, "case.skill.remove", change, note)

    def add_skill(self, conversation_id: str, text: str, *, actor: str) -> None:
        self._profile_change(conversation_id, actor, "case.skill.add",
                             lambda p: ({"skill": _skill_ref(skills.add(p, text, self.anchor))}, None))

    # -- experience and goal lines: corrected like skills, and honoured by the chat from the next turn on ----------

    def edit_line(self, conversation_id: str, field: str, key: str, text: str, note: str = "", *,
                  actor: str) -> None:
        """Replace an experience or goal line with what the counsellor typed (re-read as an occupation)."""
        _line_field(field)

        def change(p: Profile) -> Change:
            new = (lines.edit_experience(p, key, text, self.occupation) if field == "experience"
                   else lines.edit_goal(p, key, text, self.occupation))
            return {"field": field}, (field, key, new)

        self._profile_change(conversation_id, actor, f"case.{field}.edit", change, note)

    def remove_line(self, conversation_id: str, field: str, key: str, note: str = "", *, actor: str) -> None:
        _line_field(field)

        def change(p: Profile) -> Change:
            (lines.remove_experience if field == "experience" else lines.remove_goal)(p, key)
            return {"field": field}, (field, key, None)

        self._profile_change(conversation_id, actor, f"case.{field}.remove", change, note)

    # -- reviews and notes -----------------------------------------------------------------------------------------

    def review(self, conversation_id: str, kind: str, ref: str, decision: str, note: str = "", *, actor: str) -> None:
        """Approve or reject a suggestion (the note says why); a rejection takes it out of the plan and, for an
        occupation, out of what the chat recommends from the person's next turn on."""
        if kind not in SUGGESTION_KINDS:
            raise CaseError("review_kind", f"kind: '{kind}' is not one of {', '.join(SUGGESTION_KINDS)}", value=kind)
        if decision not in DECISIONS:
            raise CaseError("review_decision", f"decision: '{decision}' is not approved or rejected", value=decision)
        note = _text(note, limit=MAX_REVIEW_NOTE, code="review_note", what="the note", required=False)
        now = self.clock()
        with self.sessions.begin() as s:
            conv = reading.consented(s, conversation_id)
            suggestion = self._suggestion(s, conv, kind, ref)
            add_review(s, conv.id, kind=kind, ref=ref, decision=decision, note=note, reviewer=actor,
                       snapshot=suggestion.snapshot(), now=now)
            detail: dict[str, Any] = {"kind": kind, "ref": ref, "decision": decision}
            if decision == "rejected":
                row = get_plan(s, conv.id)
                items = list(row.items) if row is not None else []
                if plan_items.remove_suggestion(items, kind, ref):
                    save_plan(s, conv.id, items=items, status="draft", by=actor, now=now)
                    detail["removed_from_plan"] = True
            audit.record(s, actor, "case.review", _target(conv.id), detail, now=now)

    def _suggestion(self, s: Session, conv: Conversation, kind: str, ref: str) -> Suggestion:
        """The suggestion in the latest recommendations, else as it was when last reviewed."""
        for suggestion in suggestions_of(build_plan(s, conv.id, STAFF)):
            if (suggestion.kind, suggestion.ref) == (kind, ref):
                return suggestion
        earlier = latest_reviews(s, conv.id).get((kind, ref))
        if earlier is not None:
            return Suggestion.from_snapshot(earlier.snapshot)
        raise CaseError("suggestion_missing", f"no {kind} '{ref}' among this session's recommendations",
                        kind=kind, ref=ref)

    def add_note(self, conversation_id: str, text: str, *, actor: str) -> int:
        text = _text(text, limit=MAX_NOTE, code="note", what="the note")
        with self.sessions.begin() as s:
            conv = reading.consented(s, conversation_id)
            note = add_note(s, conv.id, author=actor, text=text, now=self.clock())
            audit.record(s, actor, "case.note", _target(conv.id), {"note": note.id, "chars": len(text)},
                         now=self.clock())
            return note.id

    # -- the plan ------------------------------------------------------------------------------------------------

    def _plan_change(self, conversation_id: str, actor: str, action: str,
                     change: Callable[[Session, Conversation, list[dict[str, Any]]], dict[str, Any]],
                     *, status: str = "draft") -> None:
        """Any change to the items sends an agreed plan back to draft: it has to be agreed again."""
        now = self.clock()
        with self.sessions.begin() as s:
            conv = reading.consented(s, conversation_id)
            row = get_plan(s, conv.id)
            items = [dict(i) for i in row.items] if row is not None else []
            detail = change(s, conv, items)
            save_plan(s, conv.id, items=items, status=status, by=actor, now=now)
            audit.record(s, actor, action, _target(conv.id), detail, now=now)

    def plan_add_suggestion(self, conversation_id: str, kind: str, ref: str, due: str = "", *, actor: str) -> None:
        day = plan_items.target_date(due)

        def change(s: Session, conv: Conversation, items: list[dict[str, Any]]) -> dict[str, Any]:
            latest = latest_reviews(s, conv.id).get((kind, ref))
            if latest is None or latest.decision != "approved":
                raise CaseError("plan_not_approved", f"approve the {kind} '{ref}' before adding it to the plan",
                                kind=kind, ref=ref)
            item = plan_items.add_suggestion(items, Suggestion.from_snapshot(latest.snapshot), day, by=actor,
                                             now=self.clock())
            return {"item": item["id"], "kind": kind, "ref": ref}

        self._plan_change(conversation_id, actor, "case.plan.add", change)

    def plan_add_step(self, conversation_id: str, text: str, due: str = "", action: str = "", *,
                      actor: str) -> None:
        day = plan_items.target_date(due)

        def change(_s: Session, _c: Conversation, items: list[dict[str, Any]]) -> dict[str, Any]:
            item = plan_items.add_step(items, text, day, action, by=actor, now=self.clock())
            return {"item": item["id"], "kind": "step", "action": action}

        self._plan_change(conversation_id, actor, "case.plan.add", change)

    def plan_remove(self, conversation_id: str, item_id: str, *, actor: str) -> None:
        self._plan_change(conversation_id, actor, "case.plan.remove", lambda _s, _c, items: {
            "item": plan_items.remove(items, item_id)["id"]})

    def plan_agree(self, conversation_id: str, *, actor: str) -> None:
        """The job seeker agreed to the plan as it stands; an empty plan cannot be agreed."""
        def change(_s: Session, _c: Conversation, items: list[dict[str, Any]]) -> dict[str, Any]:
            if not any(i.get("action") or i.get("kind") == "step" for i in items):
                raise CaseError("plan_empty", "the plan has no steps to agree on")
            return {"steps": len(items)}

        self._plan_change(conversation_id, actor, "case.plan.agree", change, status="agreed")

    # -- handover ----------------------------------------------------------------------------------------------

    def hand_over(self, conversation_id: str, to: str, note: str = "", *, actor: str) -> None:
        """Give the case to an active counsellor or admin (taking it oneself is handing it to oneself)."""
        name = (to or "").strip().lower()
        if not name:
            raise CaseError("handover_nobody", "choose the colleague to hand the case to")
        note = _text(note, limit=MAX_REVIEW_NOTE, code="handover_note", what="the note", required=False)
        now = self.clock()
        with self.sessions.begin() as s:
            conv = reading.consented(s, conversation_id)
            user = get_by_username(s, name)
            if user is None:
                raise CaseError("handover_unknown", f"cannot hand the case to '{name}': there is no such account",
                                name=name)
            if not user.active:
                raise CaseError("handover_inactive",
                                f"cannot hand the case to '{user.username}': the account is deactivated",
                                name=user.username)
            if user.role not in CASE_ROLES:
                raise CaseError("handover_role", f"cannot hand the case to '{user.username}': "
                                f"{user.role} accounts do not work on cases", name=user.username, role=user.role)
            current = get_assignment(s, conv.id)
            if current is not None and current.counsellor == user.username:
                raise CaseError("handover_same", f"the case is already with '{user.username}'", name=user.username)
            handover = assign(s, conv.id, to=user.username, note=note, now=now)
            audit.record(s, actor, "case.handover", _target(conv.id),
                         {"from": handover.from_user, "to": user.username}, now=now)


def _line_field(field: str) -> None:
    if field not in LINE_FIELDS:
        raise CaseError("line_field", f"field: '{field}' is not one of {', '.join(LINE_FIELDS)}", value=field)
