"""Finding conversations for the counsellor console: words, id prefix, case code, phase, assignee and last-activity
dates.

A case code is found however it was typed ("k7m2qx", "K7M-2QX", "K7M 2QX": the words of the query joined); a
conversation with that code is listed besides those matching the words, should the words also be a code.

Words are matched case-insensitively in the messages (SQL) and in the profile's values. The profile lives in
the JSON state, whose stored text escapes Chinese (\\u7535), so SQL narrows with the escaped spelling and Python
then checks the profile's values, which keeps a word that only matches a JSON key ("skills") from counting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.store.conversation_keys import normalise_case_code
from assistant.store.models import CaseAssignment, Conversation, ConversationMessage

__all__ = ["Found", "search_conversations"]

SCAN_FACTOR = 5  # candidates read per result wanted: a few lose the Python check, most pass it


@dataclass(frozen=True)
class Found:
    """The conversations that matched, newest activity first, and whether there were more than the limit."""

    conversations: list[Conversation]
    more: bool



def _strings(value: Any) -> Iterator[str]:
    """Every string value in a JSON document (not its keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def profile_text(state: dict[str, Any] | None) -> str:
    """The profile's values as one lower-case text: the person's words, skill labels, codes, places."""
    return "\n".join(_strings((state or {}).get("profile") or {})).lower()


def search_conversations(
    session: Session,
    *,
    terms: tuple[str, ...] = (),
    phase: str | None = None,
    assigned_to: str | None = None,
    unassigned: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> Found:
    """Consented conversations matching every term (as id prefix, in a message or in the profile), or whose case
    code the terms spell, and every filter.

    Only conversations whose person agreed are listed: without consent nothing of theirs is kept for counsellors.
    `until` is exclusive. Terms are lower-cased here.
    """
    query = select(Conversation).where(Conversation.consent.is_(True))
    if phase:
        query = query.where(Conversation.phase == phase)
    assignment = select(CaseAssignment.conversation_id).where(CaseAssignment.conversation_id == Conversation.id)
    if assigned_to is not None:
        query = query.where(assignment.where(CaseAssignment.counsellor == assigned_to).exists())
    if unassigned:
        query = query.where(~assignment.exists())
    if since is not None:
        query = query.where(Conversation.updated_at >= as_utc(since))
    if until is not None:
        query = query.where(Conversation.updated_at < as_utc(until))
    words = [t.lower() for t in terms if t.strip()]
    code = normalise_case_code("".join(words)) if words else None
    sure: list[ColumnElement[bool]] = []  # per term: matched without the profile check (id prefix, message, code)
    every_word: list[ColumnElement[bool]] = []
    for i, word in enumerate(words):
        by_id = Conversation.id.startswith(word, autoescape=True)
        in_messages = exists().where(and_(ConversationMessage.conversation_id == Conversation.id,
                                          func.lower(ConversationMessage.text).contains(word, autoescape=True)))
        escaped = json.dumps(word)[1:-1]  # the spelling the JSON column stores
        in_state = func.lower(cast(Conversation.state, Text)).contains(escaped, autoescape=True)
        every_word.append(or_(by_id, in_messages, in_state))
        sure.append(or_(by_id, in_messages))
    if code is not None:
        by_code = Conversation.case_code == code
        query = query.where(or_(by_code, and_(*every_word)))
        sure = [or_(by_code, flag) for flag in sure]  # the code alone is enough
    elif every_word:
        query = query.where(*every_word)
    labelled = [flag.label(f"sure_{i}") for i, flag in enumerate(sure)]
    query = query.add_columns(*labelled).order_by(Conversation.updated_at.desc(), Conversation.id)
    scan = limit * SCAN_FACTOR if words else limit + 1
    rows = session.execute(query.limit(scan)).all()
    matched = []
    for row in rows:
        conversation, flags = row[0], row[1:]
        text = profile_text(conversation.state) if words else ""
        if all(flag or word in text for flag, word in zip(flags, words)):
            matched.append(conversation)
    return Found(matched[:limit], len(matched) > limit or len(rows) == scan and bool(words))
