"""store_lock across processes (SQLite and PostgreSQL): migrations started together, exclusion, a dead holder.

Real processes (multiprocessing, spawn), not threads: the lock is about `serve` workers and commands
started side by side, and alembic itself cannot run in two threads of one process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.synchronize import Barrier, Event
from typing import Any

import pytest

from assistant.store.db import make_engine, migrate, schema_revision, store_lock

pytestmark = pytest.mark.slow  # each case spawns Python processes (a few seconds each on a busy machine)
WAIT = 60  # seconds; each step takes well under one, but CI machines are slow to spawn Python


def _migrate(url: str, barrier: Barrier, results: Any) -> None:
    engine = make_engine(url)
    try:
        barrier.wait(WAIT)  # all start migrating the empty store at the same moment
        migrate(engine)
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the test, which shows it
        results.put(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        engine.dispose()


def test_migrations_started_together_all_succeed(store_url: str) -> None:
    # Without the lock, one or two of three crashed here (DuplicateTable / "table sources already exists").
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_migrate, args=(store_url, barrier, results)) for _ in range(3)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=WAIT) for _ in procs]
    for p in procs:
        p.join(WAIT)
    assert outcomes == ["ok"] * 3
    engine = make_engine(store_url)
    try:
        current, head = schema_revision(engine)
    finally:
        engine.dispose()
    assert current == head


def _hold(url: str, name: str, acquired: Event, release: Event) -> None:
    engine = make_engine(url)
    try:
        with store_lock(engine, name):
            acquired.set()
            release.wait(WAIT)
    finally:
        engine.dispose()


@pytest.mark.parametrize(("other_name", "blocked"), [("setup", True), ("migrate", False)])
def test_the_lock_excludes_other_processes_by_name(store_url: str, other_name: str, blocked: bool) -> None:
    ctx = multiprocessing.get_context("spawn")
    acquired, release = ctx.Event(), ctx.Event()
    engine = make_engine(store_url)
    try:
        with store_lock(engine, "setup"):
            child = ctx.Process(target=_hold, args=(store_url, other_name, acquired, release))
            child.start()
            # Blocked: still waiting after 2 s. Free: in well under that (spawning is the slow part).
            got_it = acquired.wait(2 if blocked else WAIT)
            assert got_it is not blocked
        assert acquired.wait(WAIT)  # released: the waiting process goes on
        release.set()
        child.join(WAIT)
        assert child.exitcode == 0
    finally:
        engine.dispose()


def test_a_holder_that_dies_releases_the_lock(store_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    acquired, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold, args=(store_url, "setup", acquired, release))
    child.start()
    assert acquired.wait(WAIT)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(WAIT)
    engine = make_engine(store_url)
    started = time.monotonic()
    try:
        with store_lock(engine, "setup"):  # the OS (flock) or the server (a closed session) let it go
            waited = time.monotonic() - started
    finally:
        engine.dispose()
    assert waited < 10
