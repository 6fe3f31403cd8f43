"""Conversation keys and case codes: hashes only, codes without look-alike letters and unique; the 0006 migration
gives existing conversations a code and no key (counsellors only); SQLite deletion leaves no words in its files."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.store.conversation_keys import (
    CASE_CODE_ALPHABET,
    case_code_of,
    display_case_code,
    key_hash,
    key_matches,
    new_case_code,
    new_key,
    normalise_case_code,
)
from assistant.store.conversations import add_message, create_conversation, delete_conversation
from assistant.store.db import make_engine, make_sessionmaker, migrate, schema_revision, scrub_deleted
from assistant.store.models import Conversation
from tests.store.migration_checks import alembic_step, drift

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_no_look_alike_characters_in_codes() -> None:
    assert not set("0O1IL") & set(CASE_CODE_ALPHABET)
    assert len(set(CASE_CODE_ALPHABET)) == len(CASE_CODE_ALPHABET) == 31


@pytest.mark.parametrize(
    ("typed", "code"),
    [("K7M2QX", "K7M2QX"), ("k7m2qx", "K7M2QX"), ("K7M-2QX", "K7M2QX"), ("k7m 2qx", "K7M2QX"), (" K7M_2QX ", "K7M2QX"),
     ("K7M2Q", None), ("K7M2QXX", None), ("K7M2Q0", None), ("K7M2QI", None), ("焊工", None), ("", None)],
)
def test_typed_codes_are_normalised(typed: str, code: str | None) -> None:
    assert normalise_case_code(typed) == code


def test_codes_are_shown_in_two_halves() -> None:
    assert display_case_code("K7M2QX") == "K7M-2QX" and display_case_code(None) == ""


def test_keys_are_stored_as_hashes_and_only_the_right_key_matches(factory: sessionmaker[Session]) -> None:
    key = new_key()
    assert len(key) == 32 and key != new_key()
    with factory.begin() as s:
        conv = create_conversation(s, conversation_id="c1", language="zh", phase="welcome", now=T0,
                                   secret_hash=key_hash(key))
        legacy = create_conversation(s, conversation_id="c2", language="zh", phase="welcome", now=T0)
        assert conv.secret_hash == key_hash(key) and key not in conv.secret_hash
        assert [key_matches(conv, k) for k in (key, key + "x", "", None)] == [True, False, False, False]
        assert not key_matches(legacy, key) and not key_matches(legacy, None)  # no hash: no key opens it


def test_every_conversation_gets_its_own_code(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        for i in range(30):
            create_conversation(s, conversation_id=f"c{i}", language="zh", phase="welcome", now=T0)
    with factory() as s:
        codes = s.scalars(select(Conversation.case_code)).all()
        assert len(set(codes)) == 30 and all(normalise_case_code(c) == c for c in codes)
        assert case_code_of(s, display_case_code(codes[3]).lower()) == s.scalar(
            select(Conversation.id).where(Conversation.case_code == codes[3]))
        assert case_code_of(s, "焊工") is None
        assert new_case_code(s) not in codes


def test_the_database_refuses_a_duplicate_code(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        create_conversation(s, conversation_id="c1", language="zh", phase="welcome", now=T0)
    with factory() as s:
        code = s.scalar(select(Conversation.case_code))
        second = create_conversation(s, conversation_id="c2", language="zh", phase="welcome", now=T0)
        second.case_code = code
        with pytest.raises(IntegrityError):
            s.flush()


def test_0006_gives_existing_conversations_a_code_and_no_key(store_url: str) -> None:
    engine = make_engine(store_url)
    alembic = alembic_step(engine)
    try:
        alembic(command.upgrade, "0005")
        factory = make_sessionmaker(engine)
        with factory.begin() as s:  # Core, with 0005's columns only
            for cid in ("old1", "old2"):
                s.execute(insert(Conversation).values(id=cid, created_at=T0, updated_at=T0, language="zh",
                                                      phase="experience", consent=True, state={},
                                                      counsellor_notes=""))
        migrate(engine)
        assert schema_revision(engine)[0] == schema_revision(engine)[1]
        with factory() as s:
            rows = s.execute(select(Conversation.id, Conversation.case_code, Conversation.secret_hash)).all()
        assert {r.id for r in rows} == {"old1", "old2"} and all(r.secret_hash is None for r in rows)
        assert len({r.case_code for r in rows}) == 2 and all(normalise_case_code(r.case_code) for r in rows)
        alembic(command.downgrade, "0005")
        with factory() as s:
            assert sorted(s.scalars(select(Conversation.id))) == ["old1", "old2"]
        migrate(engine)
    finally:
        engine.dispose()
    assert drift(engine, {"conversations"}) == []


# -- deletion on SQLite: the words leave the database file and its WAL -------------------------------------------

SECRET_WORDS = "ZEBRA-7731 我的电话是13912345678"


def _files(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def test_deleted_words_are_gone_from_the_sqlite_files(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate(engine)
        factory = make_sessionmaker(engine)
        with factory.begin() as s:
            conv = create_conversation(s, conversation_id="gone", language="zh", phase="experience", now=T0)
            add_message(s, conv, role="user", text=SECRET_WORDS, language="zh", phase="experience", cards=[], now=T0)
        with factory.begin() as s:  # a neighbour on the same pages stays
            conv = create_conversation(s, conversation_id="kept", language="zh", phase="experience", now=T0)
            add_message(s, conv, role="user", text="KEPT-4455", language="zh", phase="experience", cards=[], now=T0)
        needle = SECRET_WORDS.encode()
        assert needle in _files(db)  # where the test looks is where the words were
        with factory.begin() as s:
            assert delete_conversation(s, "gone")
        assert scrub_deleted(engine) is True
        data = _files(db)
        assert needle not in data and b"ZEBRA-7731" not in data and "13912345678".encode() not in data
        assert b"KEPT-4455" in data
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        engine.dispose()


def test_scrubbing_is_a_no_op_elsewhere() -> None:
    engine = make_engine("sqlite://")
    try:
        assert scrub_deleted(engine) is False
    finally:
        engine.dispose()
