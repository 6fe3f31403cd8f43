"""Persisted chat sessions on SQLite and PostgreSQL: repository functions, cascades and the 0002 migration."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.store import conversations as repo
from assistant.store.db import make_engine, make_sessionmaker, migrate, schema_revision
from assistant.store.models import Conversation, ConversationMessage, Source
from tests.store.migration_checks import alembic_step, drift

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
NEW_TABLES = {"conversations", "conversation_messages"}

STATE_ZH = {
    "profile": {"name": "李雷", "interests": ["电工", "汽车维修"], "age": 17, "city": "深圳"},
    "pending": [{"slot": "education", "question": "你目前的学历是什么？"}],
    "last_recommendations": [{"scheme": "csco2022", "code": "6-31-01-03", "title": "汽车维修工"}],
    "flags": {"minor": True, "notes": None},
}


def _cid() -> str:
    return str(uuid.uuid4())


def _aware(moment: datetime) -> datetime:
    """SQLite gives timestamps back without an offset; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _seed(factory: sessionmaker[Session], n_messages: int = 0, *, when: datetime = T0) -> str:
    """One committed conversation with `n_messages` alternating user/assistant messages."""
    cid = _cid()
    with factory.begin() as session:
        conv = repo.create_conversation(session, conversation_id=cid, language="zh", phase="intake", now=when)
        for i in range(n_messages):
            repo.add_message(
                session, conv, role=("user", "assistant")[i % 2], text=f"第{i + 1}条",
                language="zh", phase="intake", cards=[], now=when + timedelta(seconds=i),
            )
    return cid


def _count(session: Session, model: type, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return session.scalar(query) or 0


def test_create_and_get_round_trip_keeps_chinese_state(factory: sessionmaker[Session]) -> None:
    cid = _cid()
    with factory.begin() as session:
        conv = repo.create_conversation(session, conversation_id=cid, language="zh", phase="intake", now=T0)
        assert conv.consent is None and conv.state == {} and conv.counsellor_notes == ""
        conv.state = STATE_ZH
        conv.consent = True
        conv.counsellor_notes = "学生对汽车感兴趣。"
    with factory() as session:
        got = repo.get_conversation(session, cid)
        assert got is not None
        assert got.state == STATE_ZH
        assert (got.language, got.phase, got.consent) == ("zh", "intake", True)
        assert got.counsellor_notes == "学生对汽车感兴趣。"
        assert _aware(got.created_at) == T0 and _aware(got.updated_at) == T0
        assert repo.get_conversation(session, _cid()) is None
        assert repo.get_conversation(session, cid, for_update=True) is got


def test_create_with_existing_id_fails_at_the_call(factory: sessionmaker[Session]) -> None:
    cid = _seed(factory)
    with factory() as session, pytest.raises(IntegrityError):
        repo.create_conversation(session, conversation_id=cid, language="en", phase="intake", now=T0)


@pytest.mark.parametrize("n", [1, 2, 7])
def test_add_message_numbers_ordinals_from_one_and_bumps_updated_at(
    factory: sessionmaker[Session], n: int
) -> None:
    cid = _seed(factory)
    other = _seed(factory, 3)  # another conversation's ordinals must not leak into this one
    cards = [{"kind": "occupation", "title": "电工", "score": 0.91}]
    with factory.begin() as session:
        conv = repo.get_conversation(session, cid, for_update=True)
        assert conv is not None
        made = [
            repo.add_message(
                session, conv, role="user", text=f"msg {i}", language="en", phase="explore",
                cards=cards, now=T0 + timedelta(minutes=i + 1),
            )
            for i in range(n)
        ]
        assert [m.ordinal for m in made] == list(range(1, n + 1))
        assert all(m.id is not None for m in made)  # flushed: ids exist before commit
    with factory() as session:
        conv = repo.get_conversation(session, cid)
        assert conv is not None
        assert [m.ordinal for m in conv.messages] == list(range(1, n + 1))
        assert conv.messages[0].cards == cards
        assert _aware(conv.updated_at) == T0 + timedelta(minutes=n)
        assert _count(session, ConversationMessage, conversation_id=other) == 3


@pytest.mark.parametrize("before", [0, 3])
def test_add_messages_appends_a_turn_in_order_after_what_is_there(
    factory: sessionmaker[Session], before: int
) -> None:
    cid = _seed(factory, before)
    turn = [repo.NewMessage("user", "我做了三年电焊", "zh", "experience"),
            repo.NewMessage("assistant", "你会这些技能吗？", "zh", "confirm_skills", [{"type": "skill"}])]
    with factory.begin() as session:
        conv = repo.get_conversation(session, cid, for_update=True)
        assert conv is not None
        made = repo.add_messages(session, conv, turn, now=T0 + timedelta(hours=1))
        assert [m.ordinal for m in made] == [before + 1, before + 2]
        assert all(m.id is not None for m in made)  # flushed: ids exist before commit
    with factory() as session:
        conv = repo.get_conversation(session, cid)
        assert conv is not None
        last = conv.messages[-2:]
        assert [(m.role, m.text, m.phase, m.cards) for m in last] == [
            ("user", "我做了三年电焊", "experience", []),
            ("assistant", "你会这些技能吗？", "confirm_skills", [{"type": "skill"}])]
        assert _aware(conv.updated_at) == T0 + timedelta(hours=1)


def test_ordinal_is_unique_per_conversation(factory: sessionmaker[Session]) -> None:
    cid = _seed(factory, 1)
    with factory() as session, pytest.raises(IntegrityError):
        session.add(ConversationMessage(
            conversation_id=cid, ordinal=1, role="user", text="dup", language="en",
            phase="intake", cards=[], created_at=T0,
        ))
        session.flush()


@pytest.mark.parametrize(
    ("n", "limit", "expected"),
    [
        (0, 5, []),
        (2, 20, [1, 2]),
        (5, 3, [3, 4, 5]),
        (5, 5, [1, 2, 3, 4, 5]),
        (5, 1, [5]),
    ],
)
def test_recent_messages_are_the_last_ones_oldest_first(
    factory: sessionmaker[Session], n: int, limit: int, expected: list[int]
) -> None:
    cid = _seed(factory, n)
    _seed(factory, 4)
    with factory() as session:
        got = repo.recent_messages(session, cid, limit=limit)
        assert [m.ordinal for m in got] == expected
        assert [m.text for m in got] == [f"第{i}条" for i in expected]


def test_delete_removes_the_conversation_and_its_messages(factory: sessionmaker[Session]) -> None:
    cid = _seed(factory, 4)
    kept = _seed(factory, 2)
    with factory.begin() as session:
        # Messages not loaded: the database's ON DELETE CASCADE must remove them (foreign keys on).
        assert repo.delete_conversation(session, cid) is True
        assert repo.delete_conversation(session, cid) is False
        assert repo.delete_conversation(session, _cid()) is False
    with factory.begin() as session:
        conv = repo.get_conversation(session, kept)
        assert conv is not None and len(conv.messages) == 2
        assert repo.delete_conversation(session, kept) is True  # messages loaded: the ORM deletes them
    with factory() as session:
        assert _count(session, Conversation) == 0
        assert _count(session, ConversationMessage) == 0


def test_list_conversations_newest_updated_first_with_paging(factory: sessionmaker[Session]) -> None:
    ids = [_seed(factory, when=T0 + timedelta(hours=h)) for h in (2, 0, 3, 1)]
    newest_first = [ids[2], ids[0], ids[3], ids[1]]
    with factory() as session:
        assert [c.id for c in repo.list_conversations(session)] == newest_first
        assert [c.id for c in repo.list_conversations(session, limit=2)] == newest_first[:2]
        assert [c.id for c in repo.list_conversations(session, limit=2, offset=2)] == newest_first[2:]
        assert repo.list_conversations(session, offset=4) == []


@pytest.mark.parametrize(
    ("ages_days", "older_than_days", "purged"),
    [
        ([], 30, 0),
        ([1, 5, 40, 90], 30, 2),
        ([1, 5], 30, 0),
        ([31, 45], 30, 2),
        ([10, 30, 50], 20, 2),
    ],
)
def test_purge_deletes_conversations_older_than_the_cutoff(
    factory: sessionmaker[Session], ages_days: list[int], older_than_days: int, purged: int
) -> None:
    now = T0 + timedelta(days=365)
    ids = {age: _seed(factory, 2, when=now - timedelta(days=age)) for age in ages_days}
    with factory.begin() as session:
        assert repo.purge_conversations(session, older_than=now - timedelta(days=older_than_days)) == purged
    with factory() as session:
        left = set(session.scalars(select(Conversation.id)))
        assert left == {cid for age, cid in ids.items() if age <= older_than_days}
        assert _count(session, ConversationMessage) == 2 * len(left)  # messages went with them


def test_purge_compares_instants_not_wall_clocks(factory: sessionmaker[Session]) -> None:
    """A cutoff given in another time zone means the same instant (SQLite compares stored text)."""
    cid = _seed(factory, when=T0)
    beijing = timezone(timedelta(hours=8))
    with factory.begin() as session:
        # 16:59 in Beijing is 08:59 UTC: before the conversation's 09:00 UTC update, so it stays.
        assert repo.purge_conversations(session, older_than=datetime(2026, 3, 1, 16, 59, tzinfo=beijing)) == 0
        assert repo.purge_conversations(session, older_than=datetime(2026, 3, 1, 17, 1, tzinfo=beijing)) == 1
    with factory() as session:
        assert repo.get_conversation(session, cid) is None


def _assign_new_dict(conv: Conversation) -> None:
    conv.state = {**conv.state, "phase_note": "已确认", "profile": {**conv.state["profile"], "age": 18}}


def _set_state_after_nested_change(conv: Conversation) -> None:
    state = conv.state
    state["profile"]["age"] = 18
    state["phase_note"] = "已确认"
    repo.set_state(conv, state)


def _in_place_only(conv: Conversation) -> None:
    conv.state["profile"]["age"] = 18
    conv.state["phase_note"] = "已确认"


def _reassign_same_object(conv: Conversation) -> None:
    conv.state["profile"]["age"] = 18
    conv.state["phase_note"] = "已确认"
    conv.state = conv.state  # the same object compares equal to itself: not seen as a change


@pytest.mark.parametrize(
    ("change", "saved"),
    [
        (_assign_new_dict, True),
        (_set_state_after_nested_change, True),
        # The documented rule: plain JSON does not track in-place changes; assign or use set_state.
        (_in_place_only, False),
        (_reassign_same_object, False),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_state_change_persists_across_sessions_when_assigned(
    factory: sessionmaker[Session], change: Callable[[Conversation], None], saved: bool
) -> None:
    cid = _seed(factory)
    with factory.begin() as session:
        conv = repo.get_conversation(session, cid)
        assert conv is not None
        conv.state = {"profile": {"name": "王芳", "age": 17}}
    with factory.begin() as session:
        conv = repo.get_conversation(session, cid, for_update=True)
        assert conv is not None
        change(conv)
    with factory() as session:
        conv = repo.get_conversation(session, cid)
        assert conv is not None
        if saved:
            assert conv.state == {"profile": {"name": "王芳", "age": 18}, "phase_note": "已确认"}
        else:
            assert conv.state == {"profile": {"name": "王芳", "age": 17}}


def _op_create(session: Session, cid: str) -> None:
    repo.create_conversation(session, conversation_id=_cid(), language="en", phase="intake", now=T0)


def _op_add_message(session: Session, cid: str) -> None:
    conv = repo.get_conversation(session, cid, for_update=True)
    assert conv is not None
    repo.add_message(session, conv, role="user", text="hi", language="en", phase="intake",
                     cards=[{"k": 1}], now=T0 + timedelta(days=1))


def _op_set_state(session: Session, cid: str) -> None:
    conv = repo.get_conversation(session, cid)
    assert conv is not None
    repo.set_state(conv, {"changed": True})


def _op_delete(session: Session, cid: str) -> None:
    assert repo.delete_conversation(session, cid)


def _op_purge(session: Session, cid: str) -> None:
    assert repo.purge_conversations(session, older_than=T0 + timedelta(days=1)) == 1


@pytest.mark.parametrize(
    "operation", [_op_create, _op_add_message, _op_set_state, _op_delete, _op_purge],
    ids=lambda f: f.__name__,
)
def test_repository_functions_do_not_commit(
    factory: sessionmaker[Session], operation: Callable[[Session, str], None]
) -> None:
    cid = _seed(factory, 2)

    def snapshot() -> tuple[Any, ...]:
        with factory() as session:
            rows = session.execute(select(Conversation.id, Conversation.updated_at, Conversation.state)).all()
            messages = session.execute(select(ConversationMessage.conversation_id, ConversationMessage.ordinal)).all()
            return sorted(map(tuple, rows)), sorted(map(tuple, messages))

    before = snapshot()
    with factory() as session:
        operation(session, cid)
        session.rollback()
    assert snapshot() == before


@pytest.mark.postgres
def test_for_update_locks_the_row_on_postgres(factory: sessionmaker[Session], engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature; SQLite serialises writers itself")
    cid = _seed(factory)
    with factory() as first, factory() as second:
        assert repo.get_conversation(first, cid, for_update=True) is not None
        second.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock"):
            repo.get_conversation(second, cid, for_update=True)
        second.rollback()
        first.rollback()
        assert repo.get_conversation(second, cid, for_update=True) is not None  # free once released


def test_new_tables_match_the_models(engine: Engine) -> None:
    assert drift(engine, NEW_TABLES) == []


def test_upgrade_from_0001_keeps_data_and_downgrade_drops_only_new_tables(store_url: str) -> None:
    engine = make_engine(store_url)
    alembic = alembic_step(engine)

    try:
        alembic(command.upgrade, "0001")
        assert schema_revision(engine)[0] == "0001"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        factory = make_sessionmaker(engine)
        with factory.begin() as session:
            session.add(Source(name="csco2022", kind="taxonomy", version="2022", checksum="abc",
                               location="", licence="MIT", attribution="", imported_at=T0))

        migrate(engine)  # an existing 0001 store brought to head
        current, head = schema_revision(engine)
        assert current == head and head != "0001"
        assert NEW_TABLES <= set(inspect(engine).get_table_names())
        cid = _seed(factory, 2)
        with factory() as session:
            assert session.scalars(select(Source.name)).all() == ["csco2022"]

        alembic(command.downgrade, "0001")
        assert schema_revision(engine)[0] == "0001"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        with factory() as session:
            assert session.scalars(select(Source.name)).all() == ["csco2022"]

        migrate(engine)  # and up again, from a downgraded store
        with factory() as session:
            assert repo.get_conversation(session, cid) is None
            assert session.scalars(select(Source.name)).all() == ["csco2022"]
    finally:
        engine.dispose()
