"""The audit log on SQLite and PostgreSQL: entries, filters, newest first, and no secrets in details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.store.clock import as_utc
from tests.accounts.helpers import T0


def _seed(factory: sessionmaker[Session]) -> None:
    entries = [
        (None, "user.create", "ada", {"role": "counsellor", "via": "cli"}),
        ("ada", "login", "ada", {}),
        (None, "login.failed", "ada", {"reason": "wrong password"}),
        ("root", "user.deactivate", "ada", {"sessions_ended": 1}),
        ("ada", "logout", "ada", {}),
        (None, "login.failed", "nobody", {"reason": "unknown user"}),
    ]
    with factory.begin() as session:
        for minute, (actor, action, target, detail) in enumerate(entries):
            audit.record(session, actor, action, target, detail, now=T0 + timedelta(minutes=minute))


FILTERS = [
    ({}, ["login.failed", "logout", "user.deactivate", "login.failed", "login", "user.create"]),
    ({"actor": "ada"}, ["logout", "login"]),
    ({"action": "login.failed"}, ["login.failed", "login.failed"]),
    ({"action": "login.*"}, ["login.failed", "login.failed", "login"]),
    ({"action": "user.*"}, ["user.deactivate", "user.create"]),
    ({"target": "nobody"}, ["login.failed"]),
    ({"since": T0 + timedelta(minutes=2), "until": T0 + timedelta(minutes=4)}, ["user.deactivate", "login.failed"]),
    ({"limit": 2, "offset": 1}, ["logout", "user.deactivate"]),
]


def test_list_events_filters_newest_first(factory: sessionmaker[Session]) -> None:
    _seed(factory)  # one store for the whole table: a PostgreSQL database per row would cost seconds
    with factory() as session:
        got = [(filters, [e.action for e in audit.list_events(session, **filters)]) for filters, _ in FILTERS]
    assert got == FILTERS


def test_entries_keep_actor_time_and_detail(factory: sessionmaker[Session]) -> None:
    _seed(factory)
    with factory() as session:
        first = audit.list_events(session, action="user.create")[0]
        assert (first.actor, first.target, first.detail) == (None, "ada", {"role": "counsellor", "via": "cli"})
        assert as_utc(first.at) == T0


@pytest.mark.parametrize("key", ["password", "new_password", "Token", "csrf_secret", "passwd"])
def test_secrets_are_refused_in_details(sqlite_factory: sessionmaker[Session], key: str) -> None:
    with sqlite_factory() as session:
        with pytest.raises(ValueError, match=f"audit detail must not carry secrets: \\['{key}'\\]"):
            audit.record(session, "ada", "user.password", "ada", {key: "x"}, now=T0)


def test_over_long_targets_are_cut(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        event = audit.record(session, None, "login.failed", "x" * 500, now=T0)
    assert event.target == "x" * 200
