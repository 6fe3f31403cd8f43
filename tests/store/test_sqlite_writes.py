"""SQLite writers of one process take turns on a lock: held from the first write to commit or rollback, and it turns
"database is locked" under many writing threads into waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from assistant.store.sqlite_writes import serialise_writes


def _engine(path: Path, *, busy_timeout: float) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": busy_timeout}, pool_size=12)

    @event.listens_for(engine, "connect")
    def _wal(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA journal_mode=WAL")

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)"))
    return engine


def _read(conn: Connection) -> None:
    conn.execute(text("SELECT count(*) FROM t"))


def _write(conn: Connection) -> None:
    conn.execute(text("INSERT INTO t (v) VALUES ('x')"))


def _update(conn: Connection) -> None:
    conn.execute(text("  update t SET v = 'y'"))


@pytest.mark.parametrize(
    ("statements", "held"),
    [
        ([_read], False),  # a reader never queues
        ([_write], True),
        ([_read, _update], True),
        ([_write, _write], True),  # taken once per transaction
    ],
)
@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_the_turn_is_held_from_the_first_write_to_the_end(
    tmp_path: Path, statements: list[Callable[[Connection], None]], held: bool, end: str
) -> None:
    engine = _engine(tmp_path / "s.db", busy_timeout=5)
    turn = serialise_writes(engine)
    conn = engine.connect()
    conn.begin()
    for run in statements:
        run(conn)
    assert turn.locked() == held
    if end == "close":
        conn.close()  # back to the pool mid-transaction: the pool's reset rolls back
    else:
        getattr(conn, end)()
        conn.close()
    assert not turn.locked()
    engine.dispose()


@pytest.mark.parametrize(("gated", "fails"), [(True, False), (False, True)])
def test_many_writing_threads_wait_their_turn_instead_of_failing(tmp_path: Path, gated: bool, fails: bool) -> None:
    """Ten threads, each holding the write lock 50 ms, with SQLite giving up after 200 ms: only the queue gets all
    of them through (without it, pollers time out while others hold the lock)."""
    engine = _engine(tmp_path / "s.db", busy_timeout=0.2)
    if gated:
        serialise_writes(engine)
    errors: list[str] = []
    start = threading.Barrier(10)

    def writer() -> None:
        start.wait()
        for _ in range(3):
            try:
                with engine.begin() as conn:
                    _write(conn)
                    time.sleep(0.05)
            except OperationalError as exc:
                errors.append(str(exc.orig))

    threads = [threading.Thread(target=writer) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM t")).scalar_one()
    engine.dispose()
    assert bool(errors) == fails, errors[:3]
    assert all("database is locked" in e for e in errors)
    assert rows == 30 - len(errors)  # what failed was not written; nothing else was lost
