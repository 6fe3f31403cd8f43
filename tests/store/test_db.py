"""Migrations on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from assistant.store.db import migrate, schema_revision


def test_migrate_is_idempotent_and_creates_every_table(engine: Engine) -> None:
    migrate(engine)  # second time: nothing to do
    assert schema_revision(engine) == ("0007", "0007")
    tables = set(inspect(engine).get_table_names())
    assert {"sources", "occupations", "skills", "occupation_skills", "offers", "documents", "passages"} <= tables


def test_in_memory_sqlite_url() -> None:
    from assistant.store.db import make_engine

    engine = make_engine("sqlite://")
    migrate(engine)
    assert schema_revision(engine)[0] == "0007"
    engine.dispose()
