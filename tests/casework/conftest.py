"""Fixtures for the casework tests: staff accounts, a clock that stands still, the service on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import users
from assistant.casework.service import Casework
from tests.accounts.helpers import T0, Clock, cheap_hashing
from tests.casework.seed import conversation, fake_anchor

# username → (role, active, display name)
STAFF = {"ada": ("counsellor", True, "李老师"), "bo": ("counsellor", True, "Bo"), "cy": ("counsellor", False, "Cy"),
         "olu": ("operator", True, "Olu"), "root": ("admin", True, "Root")}


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def service(factory: sessionmaker[Session], clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Casework:
    cheap_hashing(monkeypatch)
    with factory.begin() as s:
        for name, (role, active, display) in STAFF.items():
            user = users.create_user(s, username=name, role=role, password=f"{name}-long-password-2026",
                                     display_name=display, now=T0)
            if not active:
                users.deactivate(s, user)
    return Casework(factory, anchor=fake_anchor, clock=clock)


@pytest.fixture
def seed(factory: sessionmaker[Session], clock: Clock) -> Callable[..., str]:
    """seed("c1", said=[...], ...) writes a conversation; defaults: consented, recommendations and a pathway."""
    def make(cid: str = "c1", **options: object) -> str:
        with factory.begin() as s:
            return conversation(s, cid, now=options.pop("now", clock.now), **options)  # type: ignore[arg-type]

    return make
