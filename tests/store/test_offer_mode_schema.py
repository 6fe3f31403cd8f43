"""The 0005 migration: stored offer modes 'onsite' become 'in-person' and back, on both stores; nothing else moves."""

from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from sqlalchemy import select

from assistant.store.db import make_engine, make_sessionmaker, migrate, schema_revision
from assistant.store.models import Offer, Source
from tests.store.migration_checks import alembic_step

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
BEFORE = {"a": "onsite", "b": "online", "c": "blended", "d": None}


def _modes(factory: object) -> dict[str, str | None]:
    with factory() as s:  # type: ignore[operator]
        return {external_id: mode for external_id, mode in s.execute(select(Offer.external_id, Offer.mode))}


def test_onsite_rows_become_in_person_and_back(store_url: str) -> None:
    engine = make_engine(store_url)
    alembic = alembic_step(engine)
    try:
        alembic(command.upgrade, "0004")
        factory = make_sessionmaker(engine)
        with factory.begin() as s:
            src = Source(name="offers", kind="offers", version="1", checksum="0" * 64, imported_at=T0)
            s.add(src)
            s.flush()
            for ext, mode in BEFORE.items():
                s.add(Offer(source_id=src.id, external_id=ext, kind="training", title=ext, provider="p", language="zh",
                            description="", mode=mode, content_hash="0" * 64))
        migrate(engine)
        assert schema_revision(engine) == ("0007", "0007")
        assert _modes(factory) == {"a": "in-person", "b": "online", "c": "blended", "d": None}
        alembic(command.downgrade, "0004")
        assert _modes(factory) == BEFORE
    finally:
        engine.dispose()
