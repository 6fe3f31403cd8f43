"""Login sessions on SQLite and PostgreSQL: hashed tokens, expiry, inactive users, ending and purging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import sessions, users
from assistant.store.clock import as_utc
from assistant.store.models import LoginSession, User
from tests.accounts.helpers import T0, cheap_hashing

HOURS_8 = timedelta(hours=8)


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)


def _user(factory: sessionmaker[Session], name: str = "ada") -> int:
    with factory.begin() as session:
        return users.create_user(session, username=name, role="counsellor", password="long enough pw", now=T0).id


def _start(factory: sessionmaker[Session], user_id: int, when=T0, lifetime=HOURS_8) -> str:
    with factory.begin() as session:
        return sessions.start_session(session, session.get(User, user_id), now=when, lifetime=lifetime)


def _count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(LoginSession)) or 0


def test_the_store_holds_only_the_tokens_hash(factory: sessionmaker[Session]) -> None:
    token = _start(factory, _user(factory))
    with factory() as session:
        row = session.scalars(select(LoginSession)).one()
        assert row.token_hash == sessions.token_hash(token) and token not in (row.token_hash, row.csrf_secret)
        assert len(token) >= 40 and len(row.csrf_secret) >= 40
        assert as_utc(row.expires_at) == T0 + HOURS_8


def test_resolve_honours_expiry(factory: sessionmaker[Session]) -> None:
    user_id = _user(factory)
    token = _start(factory, user_id)
    cases = [(timedelta(0), True), (HOURS_8 - timedelta(seconds=1), True), (HOURS_8, False), (timedelta(days=2), False)]
    with factory() as session:
        got = [(offset, sessions.resolve(session, token, now=T0 + offset) is not None) for offset, _ in cases]
        session.rollback()
    assert got == cases
    with factory() as session:
        row = sessions.resolve(session, token, now=T0)
        assert row is not None and row.user.username == "ada" and row.user_id == user_id


def test_unknown_tokens_resolve_to_nobody(factory: sessionmaker[Session]) -> None:
    _start(factory, _user(factory))
    with factory() as session:
        for token in (None, "", "not-a-token", "x" * 500):
            assert sessions.resolve(session, token, now=T0) is None, token
            assert sessions.end_session(session, token) is False, token


def test_inactive_user_no_longer_resolves(factory: sessionmaker[Session]) -> None:
    user_id = _user(factory)
    token = _start(factory, user_id)
    with factory.begin() as session:
        users.deactivate(session, session.get(User, user_id))
    with factory() as session:
        assert sessions.resolve(session, token, now=T0) is None


def test_last_seen_is_touched_at_most_once_a_minute(factory: sessionmaker[Session]) -> None:
    token = _start(factory, _user(factory))
    for seconds, seen in ((30, T0), (61, T0 + timedelta(seconds=61)), (90, T0 + timedelta(seconds=61))):
        with factory.begin() as session:
            sessions.resolve(session, token, now=T0 + timedelta(seconds=seconds))
        with factory() as session:
            assert as_utc(session.scalars(select(LoginSession.last_seen_at)).one()) == seen


def test_end_session_and_end_user_sessions(factory: sessionmaker[Session]) -> None:
    ada, olu = _user(factory, "ada"), _user(factory, "olu")
    first, second, other = _start(factory, ada), _start(factory, ada), _start(factory, olu)
    with factory.begin() as session:
        assert sessions.end_session(session, first) is True
        assert sessions.end_session(session, first) is False
        assert sessions.resolve(session, second, now=T0) is not None
        assert sessions.end_user_sessions(session, session.get(User, ada)) == 1
    with factory() as session:
        assert sessions.resolve(session, second, now=T0) is None
        assert sessions.resolve(session, other, now=T0) is not None


def test_purge_removes_only_expired_sessions(factory: sessionmaker[Session]) -> None:
    ada = _user(factory)
    short = _start(factory, ada, lifetime=timedelta(hours=1))
    long = _start(factory, ada, lifetime=timedelta(hours=10))
    with factory.begin() as session:
        assert sessions.purge_expired(session, now=T0 + timedelta(hours=2)) == 1
    assert _count(factory) == 1
    with factory() as session:
        assert sessions.resolve(session, short, now=T0) is None and sessions.resolve(session, long, now=T0)


def test_deleting_a_user_cascades_to_their_sessions(factory: sessionmaker[Session]) -> None:
    ada = _user(factory)
    _start(factory, ada)
    with factory.begin() as session:
        session.delete(session.get(User, ada))
    assert _count(factory) == 0
