"""The dialogue manager: explicit phases, jumps at any time, state persisted in the store and resumable by id."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.dialogue.access import Access, Handle, may_open, not_found, open_conversation
from assistant.dialogue.flow import route
from assistant.dialogue.handlers import Context, Reply
from assistant.dialogue.llm import LanguageModel, rephrase
from assistant.dialogue.render import render
from assistant.dialogue.saved import Plan, build_plan, conversation_view, forget
from assistant.dialogue.state import ConversationState, Phase
from assistant.errors import ConflictError, NotFoundError, QueryError, SkillPathError
from assistant.guidance.corrections import Corrections, read_corrections
from assistant.guidance.service import GuidanceService
from assistant.store.clock import as_utc
from assistant.store.conversation_keys import display_case_code, key_hash, new_key
from assistant.store.conversations import NewMessage, add_messages, create_conversation, get_conversation, set_state
from assistant.store.db import scrub_deleted
from assistant.text import detect as detect_language, letters
from assistant.understanding.intents import detect

LANGUAGES = ("zh", "en")
SUGGESTIONS = {
    "zh": {"welcome": ["同意", "不同意"], "experience": ["我在工厂做了三年电焊，会看图纸"],
           "confirm_skills": ["对", "我不会……", "我还会……"], "goals": ["我想在湖州找个带薪学徒岗位"],
           "recommendations": ["给我学习路径", "学徒期间有补贴吗？"], "pathway": ["学徒期间有补贴吗？", "推荐"],
           "follow_up": ["推荐", "给我学习路径"], "interests": ["喜欢", "还行", "不喜欢"]},
    "en": {"welcome": ["I agree", "No"], "experience": ["I did welding in a factory for three years"],
           "confirm_skills": ["Yes", "I can't …", "I can also …"], "goals": ["A paid apprenticeship in Huzhou"],
           "recommendations": ["Show me a learning pathway", "Is there a subsidy for apprentices?"],
           "pathway": ["Is there a subsidy for apprentices?", "Recommend"], "follow_up": ["Recommend", "Pathway"],
           "interests": ["Yes", "Sort of", "No"]},
}


@dataclass
class Turn:
    """One reply, in the shape of the chat contract; `session_id` is the handle (id and key) to send back."""

    session_id: str
    reply: str
    cards: list[dict[str, Any]]
    profile: dict[str, Any]
    phase: str
    suggestions: list[str]
    language: str
    evidence: list[str] = field(default_factory=list)
    consent: bool | None = None
    case_code: str = ""  # as shown: "K7M-2QX"

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "reply": self.reply, "cards": self.cards, "profile": self.profile,
                "phase": self.phase, "suggestions": self.suggestions, "language": self.language,
                "consent": self.consent, "case_code": self.case_code}


log = logging.getLogger("skillpath.dialogue")
SQLITE_BUSY_SNAPSHOT = 517  # sqlite3.h: SQLITE_BUSY | (2 << 8)
SAVE_ATTEMPTS = 3  # a turn redone because the same conversation moved on meanwhile (two tabs, a double click)


class _Changed(Exception):
    """The conversation was saved by another turn since this one read it."""


@dataclass
class _Snapshot:
    """What a turn reads and changes of a conversation, detached from the store while guidance runs."""

    id: str
    language: str
    phase: Phase
    consent: bool | None
    state: ConversationState
    updated_at: datetime | None  # None: a new conversation, not stored yet
    key: str  # the person's key: made here for a new conversation, else the one the request brought
    case_code: str = ""  # stored; empty until a new conversation is saved
    corrections: Corrections | None = None  # what counsellors changed, read with the conversation

    @classmethod
    def of(cls, row: Any, key: str) -> "_Snapshot":
        return cls(row.id, row.language, Phase.read(row.phase), row.consent,
                   ConversationState.from_dict(row.state, row.language), row.updated_at, key, row.case_code or "")

    @property
    def handle(self) -> str:
        return str(Handle(self.id, self.key))


class DialogueManager:
    """One turn = load state, read intents and facts, move phase, render, save; the caller owns nothing here."""

    def __init__(self, guidance: GuidanceService, sessions: sessionmaker[Session], *, max_chars: int = 2000,
                 llm: LanguageModel | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.guidance = guidance
        self.sessions = sessions
        self.max_chars = max_chars
        self.llm = llm
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def turn(self, session_id: str | None, message: str, lang: str | None = None, *, key: str | None = None) -> Turn:
        """One turn. `session_id`: None to start, else the handle a reply gave (or the bare id with `key`).

        Only the person (their key) can go on with a conversation, not a counsellor: nobody speaks for them.
        """
        handle = Handle.parse(session_id) if session_id else None
        if handle is not None and key is None:
            key = handle.key
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
                row = get_conversation(session, handle.conversation_id) if handle else None
                if handle is not None and (row is None or not may_open(row, Access(key=key))):
                    raise not_found(handle.conversation_id)  # a wrong key reads exactly like an unknown id
                conv = _Snapshot.of(row, key or "") if row is not None else None
                if conv is not None:
                    conv.corrections = read_corrections(session, conv.id)
            detected = detect_language(message) if letters(message) >= 4 else "und"
            language = lang or (detected if detected != "und" else None)  # 对, 👍 and Привет keep the language
            if conv is None:
                conv = _Snapshot(uuid.uuid4().hex, language or "zh", Phase.WELCOME, None,
                                 ConversationState.from_dict(None, language or "zh"), None, new_key())
            if language:
                conv.language = language
            stored = conv.state.to_dict()
            try:
                turn = self._handle(conv, message.strip())
            except SkillPathError:
                raise  # outages and refusals have their own answers (api.errors)
            except Exception:  # noqa: BLE001 - a bug in one handler must not cost the person their conversation
                log.exception("chat turn failed; the conversation is left as it was")
                return self._apology(conv, stored)
            try:
                self._save(conv, message.strip(), turn)
            except _Changed:
                continue  # another turn of this conversation was saved meanwhile: answer from its state instead
            return turn
        which = handle.conversation_id if handle else conv.id  # never the key
        raise ConflictError(f"session_id: conversation '{which}' is changing too fast; send the message again")

    def _apology(self, conv: "_Snapshot", stored: dict[str, Any]) -> Turn:
        """A polite answer that changes nothing: nothing is saved, the profile shown is the stored one."""
        state = ConversationState.from_dict(stored, conv.language)
        phase = Phase.read(conv.phase.value)
        return Turn(conv.handle, render(conv.language, "apology"), [], state.profile.to_dict(), phase.value,
                    SUGGESTIONS[conv.language][phase.value], conv.language, [], conv.consent,
                    display_case_code(conv.case_code))

    def _save(self, conv: "_Snapshot", message: str, turn: Turn) -> None:
        try:
            with self.sessions.begin() as session:
                now = self.clock()
                if conv.updated_at is None:
                    row = create_conversation(session, conversation_id=conv.id, language=conv.language,
                                              phase=conv.phase.value, now=now, secret_hash=key_hash(conv.key))
                    turn.case_code = display_case_code(row.case_code)
                else:
                    row = get_conversation(session, conv.id, for_update=True)
                    if row is None:
                        raise NotFoundError(f"session_id: no conversation '{conv.id}' (it was deleted meanwhile)")
                    if as_utc(row.updated_at) != as_utc(conv.updated_at):
                        raise _Changed()
                # Only what a turn changes is written: counsellors edit other columns of the same row.
                row.language, row.phase, row.consent = conv.language, conv.phase.value, conv.consent
                if conv.consent:
                    add_messages(session, row, [NewMessage("user", message, conv.language, conv.phase.value),
                                                NewMessage("assistant", turn.reply, turn.language, turn.phase,
                                                           turn.cards)], now=now)
                set_state(row, conv.state.to_dict())
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

    def view(self, session_id: str, access: Access) -> dict[str, Any]:
        with self.sessions() as session:
            return conversation_view(session, session_id, SUGGESTIONS, access)

    def plan(self, session_id: str, access: Access) -> Plan:
        with self.sessions() as session:
            plan = build_plan(session, session_id, access)
            return plan.corrected(read_corrections(session, plan.session_id))

    def corrections(self, session_id: str, access: Access) -> Corrections:
        """What counsellors changed for this person, for a match made on their behalf: the same key or login as
        reading the conversation; the handle may carry the key itself, as a chat reply's session_id does."""
        handle = Handle.parse(session_id)
        access = Access(key=access.key or handle.key, staff=access.staff)
        with self.sessions() as session:
            open_conversation(session, handle.conversation_id, access)
            return read_corrections(session, handle.conversation_id)

    def delete(self, session_id: str, access: Access) -> None:
        with self.sessions.begin() as session:
            forget(session, session_id, access)
        bind = self.sessions.kw.get("bind")
        if bind is not None:
            scrub_deleted(bind)  # SQLite: the deleted words leave the WAL too, not only the database pages

    # -- one turn: the table picks the handler ------------------------------------------------------------------

    def _handle(self, conv: "_Snapshot", message: str) -> Turn:
        corrections = conv.corrections
        if corrections is not None:
            corrections.apply(conv.state.profile)
        ctx = Context(message, detect(message), conv.language, conv.phase, conv.consent, conv.state, self.guidance,
                      self.llm, corrections)
        reply = route(ctx)(ctx)
        texts, cards, evidence = [reply.text], list(reply.cards), list(reply.evidence)
        for _ in range(2):  # a message held until consent is handled now, in the new phase
            if reply.replay is None:
                break
            ctx.phase = reply.phase or ctx.phase
            ctx.message, ctx.intents = reply.replay, detect(reply.replay)
            reply = route(ctx)(ctx)
            texts.append(reply.text)
            cards += reply.cards
            evidence += reply.evidence
        conv.language, conv.consent = ctx.language, ctx.consent
        conv.phase = reply.phase or ctx.phase
        text = "\n\n".join(t for t in texts if t)
        if self.llm is not None and evidence:
            text = rephrase(self.llm, text, evidence, conv.language)  # falls back to the template on any doubt
        if corrections is not None:
            corrections.apply(conv.state.profile)  # this turn's reading may have brought a corrected line back
            if conv.consent and corrections.version and corrections.version != conv.state.counsellor_seen:
                # Said once, on the first turn after a counsellor's change: the person knows why answers moved.
                conv.state.counsellor_seen = corrections.version
                text = render(conv.language, "counsellor_update") + "\n\n" + text
        suggestions = reply.suggestions if reply.suggestions is not None else \
            SUGGESTIONS[conv.language][conv.phase.value]
        return Turn(conv.handle, text, cards, conv.state.profile.to_dict(), conv.phase.value, suggestions,
                    conv.language, evidence, conv.consent, display_case_code(conv.case_code))
