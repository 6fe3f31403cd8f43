"""Who may open a conversation: the person, by the key their browser holds, or a logged-in counsellor.

A chat client holds a handle, `<conversation id>.<key>`, which every turn's reply carries as `session_id` and
which it sends back as is (so a client that only echoes `session_id` keeps working). The key is made at the
first turn and the store keeps only its hash. Reading, exporting or deleting takes the id in the address and the
key in a header; the id alone is answered exactly as an unknown id (404), so ids cannot be probed.
Conversations stored before keys existed have no hash: only counsellors can open them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assistant.errors import NotFoundError
from assistant.store.conversation_keys import key_matches
from assistant.store.conversations import get_conversation
from assistant.store.models import Conversation

SEPARATOR = "."  # neither a uuid's hex nor a URL-safe key holds one


@dataclass(frozen=True)
class Access:
    """What a request brings: the conversation's key (the person), or a counsellor's login (staff)."""

    key: str | None = None
    staff: bool = False


@dataclass(frozen=True)
class Handle:
    """A conversation id and, where the client sent one, its key."""

    conversation_id: str
    key: str | None = None

    @classmethod
    def parse(cls, value: str) -> "Handle":
        conversation_id, sep, key = value.partition(SEPARATOR)
        return cls(conversation_id, key if sep and key else None)

    def __str__(self) -> str:
        return f"{self.conversation_id}{SEPARATOR}{self.key}" if self.key else self.conversation_id


def not_found(conversation_id: str) -> NotFoundError:
    """The one answer for an unknown id, a deleted one, and a known one without its key."""
    return NotFoundError(f"session_id: no conversation '{conversation_id}' (it may have been deleted)")


def may_open(conversation: Conversation, access: Access) -> bool:
    return access.staff or key_matches(conversation, access.key)


def open_conversation(session: Session, conversation_id: str, access: Access, *,
                      for_update: bool = False) -> Conversation:
    """The conversation, if this access may open it; else the same NotFoundError as for an unknown id."""
    conversation = get_conversation(session, conversation_id, for_update=for_update)
    if conversation is None or not may_open(conversation, access):
        raise not_found(conversation_id)
    return conversation
