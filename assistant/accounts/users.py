"""Repository functions for console users; they never commit: callers own the transaction."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.clock import as_utc
from assistant.accounts.passwords import hash_password
from assistant.errors import AccountError
from assistant.store.models import User

__all__ = ["ROLES", "create_user", "deactivate", "get_by_username", "list_users", "normalise_username", "set_password"]

ROLES = ("admin", "counsellor", "operator")
# Letters of any script (张伟 is a fine username), digits and . _ - ; no spaces or symbols that look alike.
_USERNAME = re.compile(r"[^\W_][\w.\-]{0,63}")


def normalise_username(username: str) -> str:
    """The stored form: trimmed and lower-case (logins are case-insensitive); refuses malformed names."""
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise AccountError(
            f"invalid username {username!r}: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


def create_user(
    session: Session, *, username: str, role: str, password: str, display_name: str = "", now: datetime
) -> User:
    """Add an active user; refuses a taken username, an unknown role and a password that breaks the policy."""
    name = normalise_username(username)
    _check_role(role)
    if get_by_username(session, name) is not None:
        raise AccountError(f"username {name!r} is already taken")
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_at=as_utc(now),
        last_login_at=None,
    )
    session.add(user)
    session.flush()  # a concurrent duplicate fails here (unique constraint), at the caller's call
    return user


def get_by_username(session: Session, username: str) -> User | None:
    """The user with this name (any case), active or not; None for a malformed or unknown name."""
    name = username.strip().lower()
    if not name:
        return None
    return session.scalars(select(User).where(User.username == name)).one_or_none()


def list_users(session: Session, *, include_inactive: bool = True) -> list[User]:
    """Users by username."""
    query = select(User).order_by(User.username)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def set_password(session: Session, user: User, password: str) -> None:
    """Replace the user's password hash (the policy applies); ending their sessions is the caller's choice."""
    user.password_hash = hash_password(password)
    session.flush()


def deactivate(session: Session, user: User) -> bool:
    """Mark the user inactive (their sessions stop resolving at once); False when already inactive."""
    if not user.active:
        return False
    user.active = False
    session.flush()
    return True
