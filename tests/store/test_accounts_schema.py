"""The 0003 migration (users, login sessions, audit log) on SQLite and PostgreSQL: models match, up/down keep data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.store.db import _alembic_config, make_engine, make_sessionmaker, migrate, schema_revision
from assistant.store.models import Base, Conversation, User

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NEW_TABLES = {"users", "login_sessions", "audit_events"}


def _user(name: str) -> User:
    return User(username=name, display_name=name, role="admin", password_hash="$argon2id$x", active=True,
                created_at=T0, last_login_at=None)


def test_new_tables_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    def touches_new_table(diff: Any) -> bool:
        for item in diff if isinstance(diff, list) else [diff]:
            for obj in item[1:]:
                table = getattr(obj, "table", obj)
                if (obj if isinstance(obj, str) else getattr(table, "name", None)) in NEW_TABLES:
                    return True
        return False

    assert [d for d in diffs if touches_new_table(d)] == []


def test_usernames_are_unique_in_the_database(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        session.add(_user("ada"))
    with factory() as session:
        session.add(_user("ada"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_upgrade_from_0002_keeps_data_and_downgrade_drops_only_new_tables(store_url: str) -> None:
    engine = make_engine(store_url)
    cfg = _alembic_config()

    def alembic(action: Callable[..., None], target: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            action(cfg, target)

    try:
        alembic(command.upgrade, "0002")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        factory = make_sessionmaker(engine)
        with factory.begin() as session:
            session.add(Conversation(id="c1", created_at=T0, updated_at=T0, language="zh", phase="intake",
                                     consent=None, state={}, counsellor_notes=""))

        migrate(engine)  # an existing 0002 store brought to head
        assert schema_revision(engine) == ("0004", "0004")  # migrate goes to the head, 0004 (casework)
        assert NEW_TABLES <= set(inspect(engine).get_table_names())
        with factory.begin() as session:
            session.add(_user("root"))

        alembic(command.downgrade, "0002")
        assert schema_revision(engine)[0] == "0002"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        with factory() as session:
            assert session.scalars(select(Conversation.id)).all() == ["c1"]

        migrate(engine)  # and up again, from a downgraded store: the accounts are gone, the rest stays
        with factory() as session:
            assert session.scalars(select(User)).all() == []
            assert session.scalars(select(Conversation.id)).all() == ["c1"]
    finally:
        engine.dispose()
