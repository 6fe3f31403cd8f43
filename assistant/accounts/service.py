"""The accounts service the web routes and the CLI call: log in (throttled), log out, resolve, manage users.

Each method is one transaction, and each change is audited in that same transaction. Results are
plain dataclasses, not ORM rows, so nothing outside this package touches a live database object.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit, passwords, sessions, users
from assistant.accounts.throttle import AddressThrottle
from assistant.store.clock import as_utc, utc_now
from assistant.errors import AddressLocked, LoginFailed, NotFoundError
from assistant.store.models import AuditEvent, User

# Audit actions written by this service.
LOGIN, LOGIN_FAILED, LOGIN_LOCKED, LOGOUT = "login", "login.failed", "login.locked", "logout"
USER_CREATE, USER_PASSWORD, USER_DEACTIVATE = "user.create", "user.password", "user.deactivate"

WRONG_CREDENTIALS = "wrong username or password"


@dataclass(frozen=True)
class Account:
    """A user as the rest of the app sees it (no password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> "Account":
        last = user.last_login_at
        return cls(user.id, user.username, user.display_name, user.role, user.active, as_utc(user.created_at),
                   as_utc(last) if last else None)


@dataclass(frozen=True)
class Login:
    """A live login: who, the secret its CSRF tokens are signed from, and when it ends."""

    account: Account
    csrf_secret: str
    expires_at: datetime


@dataclass(frozen=True)
class StartedLogin:
    """A successful login: `token` goes into the session cookie and is not stored anywhere else."""

    token: str
    account: Account
    expires_at: datetime


class Accounts:
    """Login with a per-username throttle, logout, session lookup and user management."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        session_hours: float = 8.0,
        clock: Callable[[], datetime] = utc_now,
        max_failures: int = 5,
        failure_window: timedelta = timedelta(minutes=5),
        lockout: timedelta = timedelta(minutes=5),
        addresses: AddressThrottle | None = None,
    ) -> None:
        self._factory = factory
        self._lifetime = timedelta(hours=session_hours)
        self._clock = clock
        self._max_failures = max_failures
        self._window = failure_window
        self._lockout = lockout
        self._addresses = addresses if addresses is not None else AddressThrottle()

    # -- logging in and out ------------------------------------------------------------------

    def login(self, username: str, password: str, *, address: str | None = None) -> StartedLogin:
        """Check the password and open a session; LoginFailed otherwise (AddressLocked for a locked `address`).

        Failures are counted per username (existing or not, so the answer never tells which):
        `max_failures` within `failure_window` lock the name for `lockout` from the last one,
        even for the right password. The count lives in the audit log, so it holds across workers
        and restarts; attempts while locked are logged as login.locked and do not extend the lock.
        Failures are also counted per client `address` (throttle.py), whatever the names tried.
        """
        name = username.strip().lower()[:64]
        now = self._clock()
        if address is not None and (address_until := self._addresses.locked_until(address, as_utc(now))):
            with self._factory.begin() as s:
                audit.record(s, None, LOGIN_LOCKED, name, {"by": "address"}, now=now)
            self._refuse_address(address_until, now)
        with self._factory.begin() as s:
            locked_until = self._locked_until(s, name, now)
            if locked_until is not None:
                audit.record(s, None, LOGIN_LOCKED, name, now=now)
            else:
                user = users.get_by_username(s, name) if name else None
                if user is not None and user.active:
                    ok = passwords.verify_password(user.password_hash, password)
                    reason = "wrong password"
                else:
                    passwords.waste_verification(password)  # as slow as a real check: existence stays hidden
                    ok, reason = False, "inactive user" if user is not None else "unknown user"
                if ok and user is not None:
                    return self._open(s, user, password, now)
                audit.record(s, None, LOGIN_FAILED, name, {"reason": reason}, now=now)
                locked_until = self._locked_until(s, name, now)
        if address is not None and (address_until := self._addresses.failed(address, as_utc(now))):
            self._refuse_address(address_until, now)
        if locked_until is None:
            raise LoginFailed(WRONG_CREDENTIALS)
        seconds = max(1, math.ceil((locked_until - now).total_seconds()))
        raise LoginFailed(
            f"too many failed logins for this username: try again in {math.ceil(seconds / 60)} minute(s)",
            retry_after=seconds,
        )

    @staticmethod
    def _refuse_address(until: datetime, now: datetime) -> None:
        seconds = max(1, math.ceil((until - as_utc(now)).total_seconds()))
        raise AddressLocked(f"too many failed logins from your address: try again in {math.ceil(seconds / 60)} "
                            "minute(s)", retry_after=seconds)

    def _open(self, s: Session, user: User, password: str, now: datetime) -> StartedLogin:
        if passwords.needs_rehash(user.password_hash):  # parameters raised since it was set
            user.password_hash = passwords.hash_password(password)
        user.last_login_at = as_utc(now)
        sessions.purge_expired(s, now=now)  # housekeeping rides on logins: no scheduler needed
        token = sessions.start_session(s, user, now=now, lifetime=self._lifetime)
        audit.record(s, user.username, LOGIN, user.username, now=now)
        return StartedLogin(token, Account.of(user), as_utc(now) + self._lifetime)

    def _locked_until(self, s: Session, name: str, now: datetime) -> datetime | None:
        """End of the lock on this name, or None: the last `max_failures` attempts all failed, close together."""
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.at)
            .where(AuditEvent.target == name, AuditEvent.action.in_((LOGIN, LOGIN_FAILED)),
                   AuditEvent.at > as_utc(now) - self._window - self._lockout)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(self._max_failures)
        ).all()
        if len(rows) < self._max_failures or any(action != LOGIN_FAILED for action, _ in rows):
            return None
        newest, oldest = as_utc(rows[0].at), as_utc(rows[-1].at)
        if newest - oldest > self._window:
            return None
        until = newest + self._lockout
        return until if as_utc(now) < until else None

    def logout(self, token: str | None) -> bool:
        """End the session server-side (the cookie is worthless afterwards); True if there was one."""
        now = self._clock()
        with self._factory.begin() as s:
            live = sessions.resolve(s, token, now=now)
            ended = sessions.end_session(s, token)
            if live is not None:
                audit.record(s, live.user.username, LOGOUT, live.user.username, now=now)
        return ended

    def resolve(self, token: str | None) -> Login | None:
        """The live login behind a session cookie, or None (unknown, expired, user deactivated)."""
        if not token:
            return None
        with self._factory.begin() as s:
            row = sessions.resolve(s, token, now=self._clock())
            if row is None:
                return None
            return Login(Account.of(row.user), row.csrf_secret, as_utc(row.expires_at))

    # -- managing users ----------------------------------------------------------------------

    def add_user(self, username: str, role: str, password: str, *, display_name: str = "",
                 actor: str | None = None, via: str = "web") -> Account:
        """Create an account (AccountError for a taken name, unknown role or weak password)."""
        now = self._clock()
        with self._factory.begin() as s:
            user = users.create_user(s, username=username, role=role, password=password,
                                     display_name=display_name, now=now)
            audit.record(s, actor, USER_CREATE, user.username,
                         {"role": user.role, "display_name": user.display_name, "via": via}, now=now)
            return Account.of(user)

    def set_password(self, username: str, password: str, *, actor: str | None = None, via: str = "web") -> int:
        """Replace a password and end that user's sessions; returns how many sessions ended."""
        now = self._clock()
        with self._factory.begin() as s:
            user = self._existing(s, username)
            users.set_password(s, user, password)
            ended = sessions.end_user_sessions(s, user)
            audit.record(s, actor, USER_PASSWORD, user.username, {"sessions_ended": ended, "via": via}, now=now)
            return ended

    def deactivate(self, username: str, *, actor: str | None = None, via: str = "web") -> bool:
        """Deactivate an account and end its sessions; False (and no audit entry) when it already was."""
        now = self._clock()
        with self._factory.begin() as s:
            user = self._existing(s, username)
            if not users.deactivate(s, user):
                return False
            ended = sessions.end_user_sessions(s, user)
            audit.record(s, actor, USER_DEACTIVATE, user.username, {"sessions_ended": ended, "via": via}, now=now)
            return True

    def list_users(self) -> list[Account]:
        with self._factory() as s:
            return [Account.of(u) for u in users.list_users(s)]

    def find(self, username: str) -> Account | None:
        with self._factory() as s:
            user = users.get_by_username(s, username)
            return Account.of(user) if user is not None else None

    @staticmethod
    def _existing(s: Session, username: str) -> User:
        user = users.get_by_username(s, username)
        if user is None:
            raise NotFoundError(f"no user named {username.strip().lower()!r}")
        return user
