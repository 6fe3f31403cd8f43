"""The accounts service: login and its throttle, logout, resolve, user changes, and what each writes to the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit, passwords
from assistant.accounts.service import Accounts
from assistant.errors import AccountError, LoginFailed, NotFoundError
from assistant.store.models import User
from tests.accounts.helpers import PASSWORDS, T0, Clock, cheap_hashing

LOCKED = "too many failed logins for this username: try again in 5 minute(s)"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)


def _service(factory: sessionmaker[Session], clock: Clock) -> Accounts:
    service = Accounts(factory, session_hours=8, clock=clock)
    service.add_user("ada", "counsellor", PASSWORDS["ada"], display_name="Ada L.", via="cli")
    service.add_user("root", "admin", PASSWORDS["root"], via="cli")
    return service


@pytest.fixture
def accounts(factory: sessionmaker[Session], clock: Clock) -> Accounts:
    """On SQLite and PostgreSQL: for what depends on the store (times, the throttle's query, cascades)."""
    return _service(factory, clock)


@pytest.fixture
def sqlite_accounts(sqlite_factory: sessionmaker[Session], clock: Clock) -> Accounts:
    """On SQLite only: for tables of messages, which do not depend on the store."""
    return _service(sqlite_factory, clock)


def _actions(factory: sessionmaker[Session], **filters: str) -> list[tuple[str | None, str, str]]:
    with factory() as session:
        return [(e.actor, e.action, e.target) for e in reversed(audit.list_events(session, **filters))]


def test_login_resolve_logout(accounts: Accounts, factory: sessionmaker[Session], clock: Clock) -> None:
    started = accounts.login(" ADA ", PASSWORDS["ada"])
    assert started.account.username == "ada" and started.expires_at == T0 + timedelta(hours=8)
    login = accounts.resolve(started.token)
    assert login is not None and login.account.role == "counsellor" and login.account.last_login_at == T0
    assert accounts.logout(started.token) is True
    assert accounts.resolve(started.token) is None  # ended server-side: the cookie is worthless now
    assert accounts.logout(started.token) is False
    assert _actions(factory, target="ada") == [
        (None, "user.create", "ada"), ("ada", "login", "ada"), ("ada", "logout", "ada")]


def test_sessions_expire(accounts: Accounts, clock: Clock) -> None:
    token = accounts.login("ada", PASSWORDS["ada"]).token
    clock.advance(hours=7, minutes=59)
    assert accounts.resolve(token) is not None
    clock.advance(minutes=1)
    assert accounts.resolve(token) is None


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("ada", "wrong password!", "wrong password"),
        ("ada", "", "wrong password"),
        ("nobody", "wrong password!", "unknown user"),
        ("", "", "unknown user"),
    ],
)
def test_failures_look_alike_and_are_audited_without_the_password(
    sqlite_accounts: Accounts, sqlite_factory: sessionmaker[Session], username: str, password: str, reason: str
) -> None:
    with pytest.raises(LoginFailed) as caught:
        sqlite_accounts.login(username, password)
    assert str(caught.value) == "wrong username or password" and caught.value.retry_after is None
    with sqlite_factory() as session:
        [event] = audit.list_events(session, action="login.failed")
        assert (event.actor, event.target, event.detail) == (None, username, {"reason": reason})


def test_inactive_user_cannot_log_in_and_loses_sessions(accounts: Accounts, factory: sessionmaker[Session]) -> None:
    token = accounts.login("ada", PASSWORDS["ada"]).token
    assert accounts.deactivate("ada", actor="root") is True
    assert accounts.deactivate("ada", actor="root") is False
    assert accounts.resolve(token) is None
    with pytest.raises(LoginFailed, match="^wrong username or password$"):
        accounts.login("ada", PASSWORDS["ada"])
    assert _actions(factory, action="user.deactivate") == [("root", "user.deactivate", "ada")]
    with factory() as session:
        assert audit.list_events(session, action="login.failed")[0].detail == {"reason": "inactive user"}


@pytest.mark.parametrize("username", ["ada", "nobody"])  # the same for a real and a made-up name
def test_five_failures_lock_the_name_for_five_minutes(
    accounts: Accounts, factory: sessionmaker[Session], clock: Clock, username: str
) -> None:
    password = PASSWORDS["ada"] if username == "ada" else "whatever-it-is"
    for _ in range(4):
        with pytest.raises(LoginFailed, match="^wrong username or password$"):
            accounts.login(username, "wrong password!")
        clock.advance(seconds=30)
    with pytest.raises(LoginFailed) as caught:  # the fifth failure locks
        accounts.login(username, "wrong password!")
    assert (str(caught.value), caught.value.retry_after) == (LOCKED, 300)
    clock.advance(minutes=4)
    with pytest.raises(LoginFailed) as caught:  # even the right password, while locked
        accounts.login(username, password)
    assert caught.value.retry_after == 60 and "try again in 1 minute(s)" in str(caught.value)
    clock.advance(minutes=1)
    if username == "ada":
        # Unlocked: the attempt made while locked did not count as a failure.
        assert accounts.login(username, password).account.username == "ada"
    else:
        with pytest.raises(LoginFailed, match="^wrong username or password$"):
            accounts.login(username, password)
    actions = [a for _, a, _ in _actions(factory, target=username)]
    assert actions[-7:-2] == ["login.failed"] * 5 and actions[-2] == "login.locked"
    assert actions[-1] == ("login" if username == "ada" else "login.failed")


def test_the_lock_is_per_name_and_slow_failures_never_lock(accounts: Accounts, clock: Clock) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed, match="^wrong username or password$"):
            accounts.login("ada", "wrong password!")
        clock.advance(minutes=2)  # five failures spread over ten minutes
    with pytest.raises(LoginFailed, match="^wrong username or password$"):
        accounts.login("ada", "wrong password!")
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.login("root", "wrong password!")
    with pytest.raises(LoginFailed, match="^too many failed logins"):
        accounts.login("root", PASSWORDS["root"])
    assert accounts.login("ada", PASSWORDS["ada"]).account.username == "ada"  # root's lock is not ada's


def test_a_success_resets_the_count(accounts: Accounts) -> None:
    for _ in range(4):
        with pytest.raises(LoginFailed):
            accounts.login("ada", "wrong password!")
    accounts.login("ada", PASSWORDS["ada"])
    for _ in range(4):
        with pytest.raises(LoginFailed, match="^wrong username or password$"):
            accounts.login("ada", "wrong password!")


def test_set_password_ends_sessions_and_is_audited(accounts: Accounts, factory: sessionmaker[Session]) -> None:
    tokens = [accounts.login("ada", PASSWORDS["ada"]).token for _ in range(2)]
    assert accounts.set_password("ADA", "another long passphrase", actor="root") == 2
    assert all(accounts.resolve(t) is None for t in tokens)
    with pytest.raises(LoginFailed):
        accounts.login("ada", PASSWORDS["ada"])
    assert accounts.login("ada", "another long passphrase").account.username == "ada"
    with factory() as session:
        [event] = audit.list_events(session, action="user.password")
        assert (event.actor, event.target, event.detail) == ("root", "ada", {"sessions_ended": 2, "via": "web"})
        assert "another long passphrase" not in repr([e.detail for e in audit.list_events(session)])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda a: a.add_user("ada", "operator", "long enough pw"), AccountError, "username 'ada' is already taken"),
        (lambda a: a.add_user("bob", "boss", "long enough pw"), AccountError,
         "unknown role 'boss': one of admin, counsellor, operator"),
        (lambda a: a.add_user("bob", "operator", "short"), AccountError,
         "password too short: 5 characters, at least 10 are needed"),
        (lambda a: a.set_password("bob", "long enough pw"), NotFoundError, "no user named 'bob'"),
        (lambda a: a.set_password("ada", "short"), AccountError, "password too short"),
        (lambda a: a.deactivate("Bob"), NotFoundError, "no user named 'bob'"),
    ],
)
def test_refused_changes_write_nothing(
    sqlite_accounts: Accounts, sqlite_factory: sessionmaker[Session], call, error: type[Exception], message: str
) -> None:
    before = _actions(sqlite_factory)
    with pytest.raises(error) as caught:
        call(sqlite_accounts)
    assert str(caught.value).startswith(message)
    assert _actions(sqlite_factory) == before
    assert [a.username for a in sqlite_accounts.list_users()] == ["ada", "root"]


def test_user_create_is_audited_with_role_and_channel(accounts: Accounts, factory: sessionmaker[Session]) -> None:
    with factory() as session:
        events = audit.list_events(session, action="user.create")
        assert [(e.actor, e.target, e.detail) for e in reversed(events)] == [
            (None, "ada", {"role": "counsellor", "display_name": "Ada L.", "via": "cli"}),
            (None, "root", {"role": "admin", "display_name": "root", "via": "cli"})]


def test_login_rehashes_a_hash_with_old_parameters(accounts: Accounts, factory: sessionmaker[Session]) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORDS["ada"])
    with factory.begin() as session:
        session.scalars(select(User).where(User.username == "ada")).one().password_hash = old
    accounts.login("ada", PASSWORDS["ada"])
    with factory() as session:
        new = session.scalars(select(User.password_hash).where(User.username == "ada")).one()
    assert new != old and not passwords.needs_rehash(new) and passwords.verify_password(new, PASSWORDS["ada"])
