"""Shared checks for migration tests: model/schema drift limited to some tables, and alembic steps on an engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from assistant.store.db import _alembic_config
from assistant.store.models import Base


def drift(engine: Engine, tables: set[str]) -> list[Any]:
    """Differences between the migrated database and the models that touch these tables (others are not ours)."""
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    def touches(diff: Any) -> bool:
        # Entries are tuples like ("add_table", Table) or ("add_column", schema, "table", Column);
        # type changes come as lists of tuples.
        for item in diff if isinstance(diff, list) else [diff]:
            for obj in item[1:]:
                table = getattr(obj, "table", obj)
                if (obj if isinstance(obj, str) else getattr(table, "name", None)) in tables:
                    return True
        return False

    return [d for d in diffs if touches(d)]


def alembic_step(engine: Engine) -> Callable[[Callable[..., None], str], None]:
    """alembic(command.upgrade, "0002") on this engine, in its own transaction."""
    cfg = _alembic_config()

    def run(action: Callable[..., None], target: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            action(cfg, target)

    return run
