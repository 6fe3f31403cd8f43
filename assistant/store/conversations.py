"""Repository functions for persisted chat sessions; they never commit: callers own the transaction."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from assistant.store.clock import as_utc
from assistant.store.conversation_keys import new_case_code
from assistant.store.models import Conversation, ConversationMessage

__all__ = [
    "NewMessage",
    "add_message",
    "add_messages",
    "create_conversation",
    "delete_conversation",
    "get_conversation",
    "list_conversations",
    "purge_conversations",
    "recent_messages",
    "set_state",
]


def create_conversation(
    session: Session, *, conversation_id: str, language: str, phase: str, now: datetime,
    secret_hash: str | None = None,
) -> Conversation:
    """Add a new, empty conversation (consent not asked yet) under the caller's id, with a fresh case code.

    `secret_hash`: the hash of the key the person's browser holds (conversation_keys.py); None: staff only.
    """
    moment = as_utc(now)
    conversation = Conversation(
        id=conversation_id,
        created_at=moment,
        updated_at=moment,
        language=language,
        phase=phase,
        consent=None,
        state={},
        counsellor_notes="",
        secret_hash=secret_hash,
        case_code=new_case_code(session),
    )
    session.add(conversation)
    session.flush()  # a duplicate id fails here, at the caller's call, not at its commit
    return conversation


def get_conversation(
    session: Session, conversation_id: str, *, for_update: bool = False
) -> Conversation | None:
    """The conversation, or None; `for_update` locks its row so two workers serialise its turns.

    SQLite has no row locks and ignores FOR UPDATE; its single writer serialises turns anyway.
    """
    query = select(Conversation).where(Conversation.id == conversation_id)
    if for_update:
        # populate_existing: a copy already in this session must show the state read under the lock.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


def set_state(conversation: Conversation, state: dict[str, Any]) -> None:
    """Replace the dialogue state so that the change is saved, even when `state` was changed in place.

    Plain JSON columns only notice assignment of a different value; a deep copy plus flag_modified
    also covers nested changes (profile lists, pending items) made to the dict the caller got.
    """
    conversation.state = copy.deepcopy(state)
    flag_modified(conversation, "state")


@dataclass(frozen=True)
class NewMessage:
    """One message to append: who said it, the text, its language and phase, and the cards shown with it."""

    role: str
    text: str
    language: str
    phase: str
    cards: list[dict[str, Any]] = field(default_factory=list)


def add_message(
    session: Session,
    conversation: Conversation,
    *,
    role: str,
    text: str,
    language: str,
    phase: str,
    cards: list[dict[str, Any]],
    now: datetime,
) -> ConversationMessage:
    """Append a message with the next ordinal and mark the conversation as updated at `now`."""
    return add_messages(session, conversation, [NewMessage(role, text, language, phase, cards)], now=now)[0]


def add_messages(session: Session, conversation: Conversation, messages: Sequence[NewMessage], *,
                 now: datetime) -> list[ConversationMessage]:
    """Append messages (a turn's question and answer) with the next ordinals, in one flush; bump updated_at."""
    # max() rather than len(conversation.messages): a long conversation is not read to add one turn.
    # Two writers racing here hit the unique (conversation_id, ordinal) constraint; callers that
    # take the conversation with for_update=True never race.
    last = session.scalar(
        select(func.max(ConversationMessage.ordinal)).where(
            ConversationMessage.conversation_id == conversation.id
        )
    ) or 0
    moment = as_utc(now)
    rows = [ConversationMessage(conversation_id=conversation.id, ordinal=last + i, role=m.role, text=m.text,
                                language=m.language, phase=m.phase, cards=list(m.cards), created_at=moment)
            for i, m in enumerate(messages, start=1)]
    session.add_all(rows)
    conversation.updated_at = moment
    session.flush()  # the next call's max() must see these ordinals
    return rows


def recent_messages(session: Session, conversation_id: str, limit: int = 20) -> list[ConversationMessage]:
    """The last `limit` messages of a conversation, oldest first."""
    newest_first = session.scalars(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id)
        .order_by(ConversationMessage.ordinal.desc())
        .limit(limit)
    ).all()
    return list(reversed(newest_first))


def delete_conversation(session: Session, conversation_id: str) -> bool:
    """Really delete a conversation and its messages; True if it existed."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    # Messages never loaded are removed by the database's ON DELETE CASCADE (passive_deletes).
    session.delete(conversation)
    session.flush()
    return True


def list_conversations(session: Session, *, limit: int = 50, offset: int = 0) -> list[Conversation]:
    """Conversations, most recently updated first (id breaks ties so pages are stable)."""
    return list(
        session.scalars(
            select(Conversation)
            .order_by(Conversation.updated_at.desc(), Conversation.id)
            .limit(limit)
            .offset(offset)
        )
    )


def purge_conversations(session: Session, *, older_than: datetime) -> int:
    """Delete conversations last updated before `older_than` (retention); returns how many.

    One DELETE statement; the database cascades to the messages, so nothing is loaded.
    """
    result = session.execute(
        delete(Conversation)
        .where(Conversation.updated_at < as_utc(older_than))
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)
