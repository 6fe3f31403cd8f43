"""Who may read a conversation: its key (held by the person's browser, stored here only as a hash) and its case code.

A conversation id alone opens nothing: it travels in plan addresses, console links and logs. The key is 192 random
bits, so a plain SHA-256 of it is enough (nothing to guess, no need for a slow password hash). The case code is
what a person reads out to a counsellor: six characters without the ones people confuse (0/O, 1/I/L).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.models import Conversation

__all__ = ["CASE_CODE_ALPHABET", "case_code_of", "display_case_code", "key_hash", "key_matches", "new_case_code",
           "new_key", "normalise_case_code"]

CASE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0 O 1 I L: read aloud and typed back without doubt
CASE_CODE_LENGTH = 6
_SEPARATORS = re.compile(r"[\s\-_.·]+")
CODE_ATTEMPTS = 20  # 31^6 ≈ 887 million codes: a clash is rare, twenty in a row means something else is wrong


def new_key() -> str:
    """A fresh conversation key: 32 URL-safe characters (192 bits)."""
    return secrets.token_urlsafe(24)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_matches(conversation: Conversation, key: str | None) -> bool:
    """True when `key` is this conversation's key; a conversation stored before keys existed matches none."""
    if not key or not conversation.secret_hash:
        return False
    return hmac.compare_digest(conversation.secret_hash, key_hash(key))


def normalise_case_code(text: str) -> str | None:
    """'k7m-2qx', 'K7M 2QX' → 'K7M2QX'; None when the text cannot be a case code."""
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != CASE_CODE_LENGTH or any(ch not in CASE_CODE_ALPHABET for ch in code):
        return None
    return code


def display_case_code(code: str | None) -> str:
    """'K7M2QX' → 'K7M-2QX': two halves are easier to read out."""
    if not code:
        return ""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def new_case_code(session: Session) -> str:
    """A code no stored conversation has yet (the unique index is the last word on a race)."""
    for _ in range(CODE_ATTEMPTS):
        code = "".join(secrets.choice(CASE_CODE_ALPHABET) for _ in range(CASE_CODE_LENGTH))
        if session.scalar(select(Conversation.id).where(Conversation.case_code == code)) is None:
            return code
    raise RuntimeError(f"no free case code after {CODE_ATTEMPTS} attempts")


def case_code_of(session: Session, text: str) -> str | None:
    """The id of the conversation with this case code (any case, spaces or dashes), or None."""
    code = normalise_case_code(text)
    if code is None:
        return None
    return session.scalar(select(Conversation.id).where(Conversation.case_code == code))
