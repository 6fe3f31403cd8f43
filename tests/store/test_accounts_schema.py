"""The 0003 migration (users, login sessions, audit log) on SQLite and PostgreSQL: models match, up/down keep data."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.store.db import make_engine, make_sessionmaker, migrate, schema_revision
from assistant.store.models import Conversation, User
from tests.store.migration_checks import alembic_step, drift

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NEW_TABLES = {"users", "login_sessions", "audit_events"}


def _user(name: str) -> User:
    return User(username=name, display_name=name, role="admin", password_hash="$argon2id$x", active=True,
                created_at=T0, last_login_at=None)


def test_new_tables_match_the_models(engine: Engine) -> None:
    assert drift(engine, NEW_TABLES) == []


def test_usernames_are_unique_in_the_database(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        session.add(_user("ada"))
    with factory() as session:
        session.add(_user("ada"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_upgrade_from_0002_keeps_data_and_downgrade_drops_only_new_tables(store_url: str) -> None:
    engine = make_engine(store_url)
    alembic = alembic_step(engine)

    try:
        alembic(command.upgrade, "0002")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        factory = make_sessionmaker(engine)
        with factory.begin() as session:
            # Core, with 0002's columns only: the model has columns later revisions add.
            session.execute(insert(Conversation).values(id="c1", created_at=T0, updated_at=T0, language="zh",
                                                        phase="intake", consent=None, state={}, counsellor_notes=""))

        migrate(engine)  # an existing 0002 store brought to head
        assert schema_revision(engine) == ("0007", "0007")  # migrate goes to the head, 0007
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
