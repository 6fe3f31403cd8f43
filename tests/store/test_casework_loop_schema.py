"""The 0007 migration (corrections, contacts, follow-ups) and its repository functions, on both stores."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.store import cases
from assistant.store.conversations import create_conversation, delete_conversation
from assistant.store.corrections import add_correction, list_corrections
from assistant.store.db import make_engine, make_sessionmaker, migrate
from assistant.store.models import CaseContact, CaseCorrection, CaseFollowUp, Conversation
from tests.store.migration_checks import alembic_step, drift

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NEW_TABLES = {"case_corrections", "case_contacts", "case_follow_ups"}


def test_new_tables_match_the_models(engine: Engine) -> None:
    assert drift(engine, NEW_TABLES) == []


def test_upgrade_from_0006_keeps_data_and_downgrade_drops_only_new_tables(store_url: str) -> None:
    engine = make_engine(store_url)
    alembic = alembic_step(engine)
    try:
        alembic(command.upgrade, "0006")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        factory = make_sessionmaker(engine)
        with factory.begin() as s:
            create_conversation(s, conversation_id="c1", language="zh", phase="goals", now=T0)
        migrate(engine)
        with factory.begin() as s:
            cases.set_follow_up(s, "c1", due=date(2026, 4, 1), note="", owner="ada", now=T0)
        alembic(command.downgrade, "0006")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        with factory() as s:
            assert s.scalars(select(Conversation.id)).all() == ["c1"]
    finally:
        engine.dispose()


@pytest.fixture
def conv(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with factory.begin() as s:
        create_conversation(s, conversation_id="c1", language="zh", phase="goals", now=T0)
    return factory


def test_rows_go_with_their_conversation(conv: sessionmaker[Session]) -> None:
    with conv.begin() as s:
        add_correction(s, "c1", field="goal", old="text:离家近", new={}, note="误读", by="ada", now=T0)
        cases.set_contact(s, "c1", display_name="王芳", contact="138", by="ada", now=T0)
        cases.set_follow_up(s, "c1", due=date(2026, 4, 1), note="回访", owner="ada", now=T0)
    with conv() as s:
        [row] = list_corrections(s, "c1")
        assert (row.field, row.old, row.new, row.note, row.by) == ("goal", "text:离家近", {}, "误读", "ada")
        assert [f.conversation_id for f in cases.follow_ups_of(s, "ada")] == ["c1"]
    with conv.begin() as s:
        assert delete_conversation(s, "c1")
    with conv() as s:
        for model in (CaseCorrection, CaseContact, CaseFollowUp):
            assert s.scalars(select(model)).all() == []


def test_a_correction_names_its_field(conv: sessionmaker[Session]) -> None:
    with conv() as s, pytest.raises(ValueError, match="^correction field 'age': one of skill, experience, goal$"):
        add_correction(s, "c1", field="age", old="30", new={}, note="", by="ada", now=T0)


def test_clearing_removes_the_rows(conv: sessionmaker[Session]) -> None:
    with conv.begin() as s:
        cases.set_contact(s, "c1", display_name="王芳", contact="", by="ada", now=T0)
        cases.set_follow_up(s, "c1", due=date(2026, 4, 1), note="", owner="ada", now=T0)
    with conv.begin() as s:
        assert cases.set_contact(s, "c1", display_name="", contact="", by="ada", now=T0) is None
        assert cases.set_follow_up(s, "c1", due=None, note="", owner="ada", now=T0) is None
    with conv() as s:
        assert cases.get_contact(s, "c1") is None and cases.get_follow_up(s, "c1") is None
