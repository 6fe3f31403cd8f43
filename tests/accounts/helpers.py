"""Test helpers for accounts: cheap argon2 parameters, a clock the test moves by hand, a home with staff accounts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from assistant.accounts import passwords
from assistant.accounts.service import Accounts
from assistant.config import Settings
from assistant.store.db import make_engine, make_sessionmaker, migrate

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
# Long enough for the policy; one per role so a test reads which account it logs in with.
PASSWORDS = {"ada": "ada-counsels-2026", "olu": "olu-operates-2026", "root": "root-admin-2026!"}


def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at tiny cost: a real hash in about a millisecond, not ~50 ms (test_passwords uses the real one)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)


class Clock:
    """A clock that stands still until told to move."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


ROLES_OF = {"ada": "counsellor", "olu": "operator", "root": "admin"}


def staff_home(tmp_path: Path, *, secure: bool = False) -> Settings:
    """Settings for a fresh data home: migrated SQLite store, no index, one account per role (see ROLES_OF).

    Call after cheap_hashing. The CSRF key is left unset, so the app makes and keeps its own.
    """
    env = {"SKILLPATH_HOME": str(tmp_path / "home"), "SKILLPATH_EMBEDDER": "fake",
           "SKILLPATH_COOKIE_SECURE": "1" if secure else "0"}
    settings = Settings.from_env(env)
    add_staff(settings, migrate_first=True)
    return settings


def add_staff(settings: Settings, *, migrate_first: bool = False) -> None:
    """One account per role (see ROLES_OF) in the settings' store. Call after cheap_hashing."""
    engine = make_engine(settings.database_url)
    try:
        if migrate_first:
            migrate(engine)
        accounts = Accounts(make_sessionmaker(engine))
        for name, role in ROLES_OF.items():
            accounts.add_user(name, role, PASSWORDS[name], via="cli")
    finally:
        engine.dispose()
