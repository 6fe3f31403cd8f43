"""Server-side login sessions; repository functions that never commit (callers own the transaction).

The browser holds a random token; the table holds only its SHA-256, so reading the table (a backup,
a leaked dump) gives no usable cookie. Ending a session deletes its row, which logs it out everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from assistant.store.clock import as_utc
from assistant.store.models import LoginSession, User

__all__ = ["end_session", "end_user_sessions", "purge_expired", "resolve", "start_session", "token_hash"]

# last_seen_at is written at most this often, so a page with many requests does not write on each.
TOUCH_EVERY = timedelta(minutes=1)
_MAX_TOKEN_CHARS = 128  # ours are 43; anything much longer is not one of ours and is not hashed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> str:
    """Open a session for `user` lasting `lifetime`; returns the raw token (the cookie value), shown only once."""
    token = secrets.token_urlsafe(32)
    moment = as_utc(now)
    session.add(LoginSession(
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_secret=secrets.token_urlsafe(32),
        created_at=moment,
        expires_at=moment + lifetime,
        last_seen_at=moment,
    ))
    session.flush()
    return token


def resolve(session: Session, token: str | None, *, now: datetime) -> LoginSession | None:
    """The live session for a token, its `user` loaded; None when unknown, expired or the user is inactive."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        return None
    row = session.scalars(
        select(LoginSession).options(joinedload(LoginSession.user)).where(LoginSession.token_hash == token_hash(token))
    ).one_or_none()
    moment = as_utc(now)
    if row is None or as_utc(row.expires_at) <= moment or not row.user.active:
        return None
    if moment - as_utc(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = moment
    return row


def end_session(session: Session, token: str | None) -> bool:
    """Delete the session for this token; True if there was one."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        return False
    result = session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    return bool(result.rowcount)


def end_user_sessions(session: Session, user: User) -> int:
    """Delete every session of a user (password changed, account deactivated); returns how many."""
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return int(result.rowcount or 0)


def purge_expired(session: Session, *, now: datetime) -> int:
    """Delete sessions that expired before `now` (they no longer resolve anyway); returns how many."""
    result = session.execute(
        delete(LoginSession).where(LoginSession.expires_at <= as_utc(now)).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
