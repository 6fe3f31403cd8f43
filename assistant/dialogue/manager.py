"""The dialogue manager: explicit phases, jumps at any time, state persisted in the store and resumable by id."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.dialogue import policy
from assistant.dialogue.intents import Intents, detect
from assistant.dialogue.llm import LanguageModel, extract_fields, rephrase
from assistant.dialogue.saved import Plan, build_plan, conversation_view, forget
from assistant.dialogue.render import (
    occupation_card,
    offer_card,
    policy_card,
    render,
    skill_card,
    step_card,
)
from assistant.errors import ConflictError, NotFoundError, QueryError
from assistant.understanding.extract import apply
from assistant.understanding.profile import Profile
from assistant.guidance.service import GuidanceService
from assistant.store.clock import as_utc
from assistant.store.conversations import add_message, create_conversation, get_conversation, set_state

PHASES = ("welcome", "experience", "confirm_skills", "goals", "recommendations", "pathway", "follow_up")
LANGUAGES = ("zh", "en")
SUGGESTIONS = {
    "zh": {"welcome": ["同意", "不同意"], "experience": ["我在工厂做了三年电焊，会看图纸"],
           "confirm_skills": ["对", "我不会……", "我还会……"], "goals": ["我想在湖州找个带薪学徒岗位"],
           "recommendations": ["给我学习路径", "学徒期间有补贴吗？"], "pathway": ["学徒期间有补贴吗？", "推荐"],
           "follow_up": ["推荐", "给我学习路径"]},
    "en": {"welcome": ["I agree", "No"], "experience": ["I did welding in a factory for three years"],
           "confirm_skills": ["Yes", "I can't …", "I can also …"], "goals": ["A paid apprenticeship in Huzhou"],
           "recommendations": ["Show me a learning pathway", "Is there a subsidy for apprentices?"],
           "pathway": ["Is there a subsidy for apprentices?", "Recommend"], "follow_up": ["Recommend", "Pathway"]},
}


@dataclass
class Turn:
    """One reply, in the shape of the chat contract."""

    session_id: str
    reply: str
    cards: list[dict[str, Any]]
    profile: dict[str, Any]
    phase: str
    suggestions: list[str]
    language: str
    evidence: list[str] = field(default_factory=list)
    consent: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "reply": self.reply, "cards": self.cards, "profile": self.profile,
                "phase": self.phase, "suggestions": self.suggestions, "language": self.language,
                "consent": self.consent}


SQLITE_BUSY_SNAPSHOT = 517  # sqlite3.h: SQLITE_BUSY | (2 << 8)
SAVE_ATTEMPTS = 3  # a turn redone because the same conversation moved on meanwhile (two tabs, a double click)


class _Changed(Exception):
    """The conversation was saved by another turn since this one read it."""


@dataclass
class _Snapshot:
    """What a turn reads and changes of a conversation, detached from the store while guidance runs."""

    id: str
    language: str
    phase: str
    consent: bool | None
    state: dict[str, Any]
    updated_at: datetime | None  # None: a new conversation, not stored yet

    @classmethod
    def of(cls, row: Any) -> "_Snapshot":
        return cls(row.id, row.language, row.phase, row.consent, dict(row.state or {}), row.updated_at)


class DialogueManager:
    """One turn = load state, read intents and facts, move phase, render, save; the caller owns nothing here."""

    def __init__(self, guidance: GuidanceService, sessions: sessionmaker[Session], *, max_chars: int = 2000,
                 llm: LanguageModel | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.guidance = guidance
        self.sessions = sessions
        self.max_chars = max_chars
        self.llm = llm
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def turn(self, session_id: str | None, message: str, lang: str | None = None) -> Turn:
        if lang is not None and lang not in LANGUAGES:
            raise QueryError(f"lang: '{lang}' is not one of zh, en")
        if not message or not message.strip():
            raise QueryError("message: the message is empty")
        if len(message) > self.max_chars:
            # Refused before anything is read or stored (no conversation is started for it either): the text may
            # hold personal data we did not ask for. The chat page says so in the person's language.
            raise QueryError(f"message: the message is longer than {self.max_chars} characters "
                             f"(it has {len(message)})")
        for _attempt in range(SAVE_ATTEMPTS):
            # Read, think, then save in a short transaction of its own: no database connection (and, on SQLite,
            # no read snapshot) is held while guidance runs, which under load exhausted the pool and made SQLite
            # refuse the late write ("database is locked").
            with self.sessions() as session:
                row = get_conversation(session, session_id) if session_id else None
                if session_id and row is None:
                    raise NotFoundError(f"session_id: no conversation '{session_id}' (it may have been deleted)")
                conv = _Snapshot.of(row) if row is not None else None
            language = lang or (self.guidance.language_of(message) if _has_letters(message) else None)
            if conv is None:
                conv = _Snapshot(uuid.uuid4().hex, language or "zh", "welcome", None, {}, None)
            state = dict(conv.state or {})
            if language:
                conv.language = language
            turn = self._handle(conv, state, message.strip())
            try:
                self._save(conv, state, message.strip(), turn)
            except _Changed:
                continue  # another turn of this conversation was saved meanwhile: answer from its state instead
            return turn
        raise ConflictError(f"session_id: conversation '{session_id}' is changing too fast; send the message again")

    def _save(self, conv: "_Snapshot", state: dict[str, Any], message: str, turn: Turn) -> None:
        try:
            with self.sessions.begin() as session:
                now = self.clock()
                if conv.updated_at is None:
                    row = create_conversation(session, conversation_id=conv.id, language=conv.language,
                                              phase=conv.phase, now=now)
                else:
                    row = get_conversation(session, conv.id, for_update=True)
                    if row is None:
                        raise NotFoundError(f"session_id: no conversation '{conv.id}' (it was deleted meanwhile)")
                    if as_utc(row.updated_at) != as_utc(conv.updated_at):
                        raise _Changed()
                # Only what a turn changes is written: counsellors edit other columns of the same row.
                row.language, row.phase, row.consent = conv.language, conv.phase, conv.consent
                if conv.consent:
                    add_message(session, row, role="user", text=message, language=conv.language,
                                phase=conv.phase, cards=[], now=now)
                    add_message(session, row, role="assistant", text=turn.reply, language=turn.language,
                                phase=turn.phase, cards=turn.cards, now=now)
                set_state(row, state)
                row.updated_at = now
        except OperationalError as exc:
            # SQLite refuses at once a write whose transaction read before another writer committed
            # (SQLITE_BUSY_SNAPSHOT): the turn is redone. A lock another process keeps holding is an outage (503).
            if getattr(exc.orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT:
                raise _Changed() from exc
            raise

    # -- what the person can get back or remove -----------------------------------------------------------------

    def opening(self, lang: str) -> dict[str, Any]:
        """The greeting and consent question a page shows before anything is said (no conversation is created)."""
        lang = lang if lang in LANGUAGES else "zh"
        return {"reply": render(lang, "welcome"), "suggestions": SUGGESTIONS[lang]["welcome"], "language": lang}

    def view(self, session_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            return conversation_view(session, session_id, SUGGESTIONS)

    def plan(self, session_id: str) -> Plan:
        with self.sessions() as session:
            return build_plan(session, session_id)

    def delete(self, session_id: str) -> None:
        with self.sessions.begin() as session:
            forget(session, session_id)

    # -- phases -----------------------------------------------------------------------------------------------

    def _handle(self, conv: Any, state: dict[str, Any], message: str) -> Turn:
        intents = detect(message)
        lang = conv.language
        if intents.switch_to and _is_only_language_request(message):
            conv.language = intents.switch_to
            return self._reply(conv, state, render(conv.language, "language_switched") + "\n\n" +
                               self._prompt_for(conv, state), [])
        if conv.phase == "welcome" and conv.consent is None:
            if intents.yes:
                conv.consent = True
                pending = state.pop("pending", None)
                if pending:
                    return self._understand(conv, state, pending, detect(pending))
                conv.phase = "experience"
                return self._reply(conv, state, render(lang, "ask_experience"), [])
            if intents.no:
                conv.consent = False
                discarded = state.pop("pending", None) is not None
                return self._reply(conv, state, render(lang, "consent_declined", discarded=discarded), [])
            if intents.question:
                return self._policy(conv, state, message)
            if not _is_greeting(message):
                state["pending"] = message  # kept only until the person answers the consent question
            return self._reply(conv, state, render(lang, "welcome"), [])
        if conv.consent is False:
            if intents.yes:
                conv.consent, conv.phase = True, "experience"
                return self._reply(conv, state, render(lang, "ask_experience"), [])
            if intents.question:
                return self._policy(conv, state, message)
            return self._reply(conv, state, render(lang, "consent_declined", discarded=False), [])
        if intents.restart:
            state.clear()
            conv.phase = "experience"
            return self._reply(conv, state, render(lang, "ask_experience"), [])
        return self._understand(conv, state, message, intents)

    def _understand(self, conv: Any, state: dict[str, Any], message: str, intents: Intents) -> Turn:
        lang = conv.language
        profile = Profile.from_dict(state.get("profile"))
        profile.language = lang
        if intents.remove:
            removed = []
            for asked in intents.remove:
                ids = {s.id for s in profile.skills if asked in s.evidence or asked in s.label or s.evidence in asked}
                removed += profile.remove_skills(ids)
            state["profile"] = profile.to_dict()
            text = render(lang, "skills_removed", removed=removed, asked=intents.remove)
            return self._reply(conv, state, text + "\n\n" + render(lang, "confirm_skills",
                               experience=profile.experience, skills=profile.skills),
                               [skill_card(s.__dict__, lang) for s in profile.skills], phase="confirm_skills")
        if intents.question and not intents.wants_pathway and not intents.wants_recommendations:
            return self._policy(conv, state, message)
        if intents.yes and conv.phase in ("confirm_skills",):
            for s in profile.skills:
                s.confirmed = True
            state["profile"] = profile.to_dict()
            if profile.goals.occupations or profile.constraints.wants_apprenticeship or profile.constraints.location:
                return self._recommend(conv, state, profile)
            return self._reply(conv, state, render(lang, "ask_goals"), [], phase="goals")
        if intents.yes and conv.phase == "recommendations" or intents.wants_pathway:
            return self._pathway(conv, state, profile)
        if intents.wants_recommendations and not profile.is_empty():
            return self._recommend(conv, state, profile)
        extra = extract_fields(self.llm, message, lang) if self.llm else {}
        found = self.guidance.extractor.extract(message, lang, extra_phrases=extra)
        if intents.changes_goal and found.goals:
            profile.goals.occupations = []  # a changed goal replaces the old one instead of piling up
        apply(profile, found)
        state["profile"] = profile.to_dict()
        if found.is_empty():
            if conv.phase in ("recommendations", "pathway", "follow_up"):
                return self._reply(conv, state, render(lang, "follow_up"), [], phase="follow_up")
            return self._reply(conv, state, render(lang, "experience_retry"), [], phase="experience")
        if found.skills or found.experience:
            cards = [skill_card(s.__dict__, lang) for s in profile.skills]
            return self._reply(conv, state, render(lang, "confirm_skills", experience=profile.experience,
                                                   skills=profile.skills), cards, phase="confirm_skills")
        if profile.skills or profile.experience or profile.goals.occupations:
            return self._recommend(conv, state, profile)  # a goal or constraint changed: show the new picture
        return self._reply(conv, state, render(lang, "experience_retry"), [], phase="experience")

    def _recommend(self, conv: Any, state: dict[str, Any], profile: Profile) -> Turn:
        lang = conv.language
        result = self.guidance.recommend(profile, k=5).to_dict()
        state["last"] = {"occupations": [(o["scheme"], o["code"] or o["uri"]) for o in result["occupations"]],
                         "pathway": result["pathway"]}
        cards = [occupation_card(o, lang) for o in result["occupations"]]
        cards += [offer_card(o, lang) for o in result["apprenticeships"] + result["training"]]
        place = profile.constraints.location or profile.constraints.province
        text = render(lang, "recommendations", occupations=result["occupations"],
                      apprenticeships=result["apprenticeships"], training=result["training"], place=place,
                      no_apprenticeship_nearby="no-apprenticeship-nearby" in result["notes"],
                      no_offer_reachable="no-offer-reachable" in result["notes"])
        evidence = [f"{c['title']} {c.get('code') or ''} {c['why']}" for c in cards]
        return self._reply(conv, state, text, cards, phase="recommendations", evidence=evidence)

    def _pathway(self, conv: Any, state: dict[str, Any], profile: Profile) -> Turn:
        lang = conv.language
        result = self.guidance.recommend(profile, k=5).to_dict()
        cards = [step_card(s, lang) for s in result["pathway"]]
        text = render(lang, "pathway", steps=result["pathway"])
        return self._reply(conv, state, text, cards, phase="pathway" if cards else conv.phase,
                           evidence=[f"{c['title']} {c.get('duration') or ''}" for c in cards])

    def _policy(self, conv: Any, state: dict[str, Any], message: str) -> Turn:
        lang = conv.language
        answers = policy.answer(self.guidance.retrieval.service, self.guidance.catalog.get(), message, lang)
        if not answers:
            return self._reply(conv, state, render(lang, "policy_none"), [])
        return self._reply(conv, state, render(lang, "policy_answer", answers=answers),
                           [policy_card(a) for a in answers], evidence=[a.quote for a in answers])

    def _prompt_for(self, conv: Any, state: dict[str, Any]) -> str:
        lang = conv.language
        if conv.consent is None:
            return render(lang, "welcome")
        profile = Profile.from_dict(state.get("profile"))
        if conv.phase == "confirm_skills":
            return render(lang, "confirm_skills", experience=profile.experience, skills=profile.skills)
        if conv.phase in ("experience", "welcome"):
            return render(lang, "ask_experience")
        if conv.phase == "goals":
            return render(lang, "ask_goals")
        return render(lang, "follow_up")

    def _reply(self, conv: Any, state: dict[str, Any], text: str, cards: list[dict[str, Any]], *,
               phase: str | None = None, evidence: list[str] | None = None) -> Turn:
        if phase:
            conv.phase = phase
        if self.llm is not None and evidence:
            text = rephrase(self.llm, text, evidence, conv.language)  # falls back to the template on any doubt
        profile = state.get("profile") or Profile(language=conv.language).to_dict()
        return Turn(conv.id, text, cards, profile, conv.phase, SUGGESTIONS[conv.language][conv.phase],
                    conv.language, evidence or [], conv.consent)


def _has_letters(text: str) -> bool:
    """Enough text to tell its language: "对", "ok", "👍" and "3" keep the conversation's language."""
    return sum(ch.isalpha() for ch in text) >= 4


def _is_greeting(text: str) -> bool:
    return text.strip(" !！。.~").casefold() in {"你好", "您好", "hi", "hello", "hey", "嗨", "在吗", "哈喽"}


def _is_only_language_request(text: str) -> bool:
    return len(text) <= 30
