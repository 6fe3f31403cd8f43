"""The 0004 migration (case assignments, handovers, reviews, notes, plans) and its repository functions, on both stores."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.store import cases, plans, reviews
from assistant.store.case_search import profile_text
from assistant.store.conversations import create_conversation
from assistant.store.db import make_engine, make_sessionmaker, migrate, schema_revision
from assistant.store.models import CaseNote, Conversation
from tests.store.migration_checks import alembic_step, drift

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NEW_TABLES = {"case_assignments", "case_handovers", "suggestion_reviews", "case_notes", "case_plans"}


def test_new_tables_match_the_models(engine: Engine) -> None:
    assert drift(engine, NEW_TABLES) == []


def test_upgrade_from_0003_keeps_data_and_downgrade_drops_only_new_tables(store_url: str) -> None:
    engine = make_engine(store_url)
    alembic = alembic_step(engine)

    try:
        alembic(command.upgrade, "0003")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        factory = make_sessionmaker(engine)
        with factory.begin() as s:  # Core, with 0003's columns only: the model has columns later revisions add
            s.execute(insert(Conversation).values(id="c1", created_at=T0, updated_at=T0, language="zh",
                                                  phase="experience", consent=None, state={}, counsellor_notes=""))
        migrate(engine)
        assert schema_revision(engine) == ("0007", "0007")
        with factory.begin() as s:
            cases.add_note(s, "c1", author="ada", text="备注", now=T0)
        alembic(command.downgrade, "0003")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        with factory() as s:
            assert s.scalars(select(Conversation.id)).all() == ["c1"]
    finally:
        engine.dispose()


@pytest.fixture
def conv(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with factory.begin() as s:
        create_conversation(s, conversation_id="c1", language="zh", phase="experience", now=T0)
    return factory


def test_case_rows_need_their_conversation(conv: sessionmaker[Session]) -> None:
    with conv() as s:
        s.add(CaseNote(conversation_id="missing", author="ada", text="x", at=T0))
        with pytest.raises(IntegrityError):
            s.flush()


def test_assign_records_each_handover(conv: sessionmaker[Session]) -> None:
    with conv.begin() as s:
        first = cases.assign(s, "c1", to="ada", note="", now=T0)
        second = cases.assign(s, "c1", to="bo", note="请跟进", now=T0 + timedelta(hours=1))
        assert (first.from_user, second.from_user, second.to_user) == (None, "ada", "bo")
    with conv() as s:
        assignment = cases.get_assignment(s, "c1")
        assert assignment is not None and assignment.counsellor == "bo"
        assert [(h.from_user, h.to_user) for h in cases.handovers(s, "c1")] == [(None, "ada"), ("ada", "bo")]
        assert set(cases.assignments_of(s, ["c1", "c2"])) == {"c1"} and cases.assignments_of(s, []) == {}


def test_latest_review_wins_even_in_the_same_instant(conv: sessionmaker[Session]) -> None:
    with conv.begin() as s:
        for decision in ("approved", "rejected", "approved"):
            reviews.add_review(s, "c1", kind="occupation", ref="csco2022:1", decision=decision, note="", reviewer="ada",
                               snapshot={"title": "x"}, now=T0)
    with conv() as s:
        latest = reviews.latest_reviews(s, "c1")
        assert [r.decision for r in reviews.review_history(s, "c1")] == ["approved", "rejected", "approved"]
    assert latest[("occupation", "csco2022:1")].decision == "approved"


def test_save_plan_stamps_agreement_and_refuses_unknown_status(conv: sessionmaker[Session]) -> None:
    with conv.begin() as s:
        plan = plans.save_plan(s, "c1", items=[{"id": "a"}], status="agreed", by="ada", now=T0)
        assert (plan.agreed_by, plan.agreed_at) == ("ada", T0)
        plan = plans.save_plan(s, "c1", items=[{"id": "a"}, {"id": "b"}], status="draft", by="bo", now=T0)
        assert (plan.agreed_by, plan.agreed_at, plan.updated_by) == (None, None, "bo")
        with pytest.raises(ValueError, match="plan status 'done': one of draft, agreed"):
            plans.save_plan(s, "c1", items=[], status="done", by="ada", now=T0)
    with conv() as s:
        saved = plans.get_plan(s, "c1")
        assert saved is not None and [i["id"] for i in saved.items] == ["a", "b"]


def test_profile_text_is_the_values_not_the_keys() -> None:
    state = {"profile": {"skills": [{"label": "电焊", "evidence": "Welding"}], "age": 30}, "pending": "秘密"}
    assert profile_text(state) == "电焊\nwelding"
    assert profile_text(None) == ""
