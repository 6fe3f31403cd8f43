"""Refresh across `serve` workers: each has its own runner; they share the build lock and the status file.

Two RefreshRunner objects on one index folder stand in for two worker processes here (tests/test_workers.py
does it with real ones): what one starts, the other reports and refuses to start again.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import IndexBusyError
from assistant.index.embedders import FakeEmbedder
from assistant.index.versions import IndexVersions
from assistant.operations import refresh as refresh_module
from assistant.operations.refresh import RefreshRunner, RefreshStatus
from assistant.operations.refresh_shared import STATUS_FILE
from tests.operations.conftest import audit_actions
from tests.operations.test_refresh import WAIT, BlockingEmbedder

BUSY = r"^an index refresh is already running \(started .+ by olga, {}\)$"


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process that has ended (reaped, so nothing answers to it)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    proc = subprocess.Popen(["sleep", "60"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_a_refresh_one_worker_runs_is_reported_and_refused_by_another(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions
) -> None:
    first = small_index.current_id()
    embedder = BlockingEmbedder()
    worker_a = RefreshRunner(sqlite_factory, embedder, small_index)
    worker_b = RefreshRunner(sqlite_factory, FakeEmbedder(), small_index)
    assert worker_b.status() == RefreshStatus()  # nothing has run anywhere yet
    worker_a.start("olga")
    try:
        assert embedder.entered.wait(WAIT)
        seen = worker_b.status()
        assert (seen.phase, seen.running, seen.started_by, seen.previous_id) == ("embedding", True, "olga", first)
        assert seen == worker_a.status()  # the same snapshot, to the microsecond
        with pytest.raises(IndexBusyError, match=BUSY.format("embedding 0 of 16")):
            worker_b.start("pavel")
    finally:
        embedder.release.set()
    done = worker_a.wait(WAIT)
    assert (done.phase, done.version_id) == ("done", small_index.current_id())
    assert worker_b.status() == done
    # The refused start left no trace: one refresh in the audit log, and B can run the next one.
    assert [a for _, a, _ in audit_actions(sqlite_factory, "index")] == ["index.refresh.start", "index.refresh.done"]
    worker_b.start("pavel")
    again = worker_b.wait(WAIT)
    assert (again.phase, again.started_by) == ("done", "pavel")
    assert worker_a.status() == again  # A's own refresh is older: it reports B's


def test_the_build_lock_is_held_from_the_moment_start_returns(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build thread is held back before it even calls build_index: the lock must already be taken by start(),
    # or a second worker asking at that moment would start a second build that then fails on the lock.
    gate = threading.Event()
    real_build = refresh_module.build_index

    def gated_build(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(WAIT)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(refresh_module, "build_index", gated_build)
    worker_a = RefreshRunner(sqlite_factory, FakeEmbedder(), small_index)
    worker_a.start("olga")
    try:
        with pytest.raises(IndexBusyError, match=BUSY.format("reading store")):
            RefreshRunner(sqlite_factory, FakeEmbedder(), small_index).start("pavel")
        with pytest.raises(IndexBusyError, match="another `skillpath index` is running"):
            with IndexVersions(small_index.root).build_lock():  # `skillpath index` in a shell
                pass
    finally:
        gate.set()
    assert worker_a.wait(WAIT).phase == "done"
    with IndexVersions(small_index.root).build_lock():  # released once the refresh ended
        pass


def _write_running(root: Any, pid: int, host: str) -> None:
    status = RefreshStatus(phase="embedding", percent=40.0, embedded=8, to_embed=16, started_by="olga",
                           started_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC), previous_id="v1")
    body = {**status.record(), "owner": {"pid": pid, "host": host}}
    (root / STATUS_FILE).write_text(json.dumps(body), encoding="utf-8")


@pytest.mark.parametrize(
    ("owner", "phase", "error"),
    [
        ("dead", "failed", "interrupted: the process running it (pid {pid}) ended before it finished"),
        ("live", "embedding", None),  # another worker still building
        ("other host", "embedding", None),  # cannot tell from here: reported as it was written
    ],
)
def test_a_refresh_whose_worker_died_reads_as_failed(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions, dead_pid: int, live_pid: int,
    owner: str, phase: str, error: str | None,
) -> None:
    pid = {"dead": dead_pid, "live": live_pid, "other host": dead_pid}[owner]
    host = "another-machine" if owner == "other host" else socket.gethostname()
    _write_running(small_index.root, pid, host)
    runner = RefreshRunner(sqlite_factory, FakeEmbedder(), small_index)
    seen = runner.status()
    assert (seen.phase, seen.running, seen.started_by, seen.error) == (
        phase, phase != "failed", "olga", error and error.format(pid=pid))
    if seen.running:
        assert seen.message == "embedding 8 of 16"
    # The lock is free either way (the file is only a report): a new refresh starts and replaces the status.
    runner.start("pavel")
    done = runner.wait(WAIT)
    assert (done.phase, done.started_by) == ("done", "pavel")
    assert RefreshRunner(sqlite_factory, FakeEmbedder(), small_index).status() == done


def test_a_status_file_that_cannot_be_written_does_not_stop_the_refresh(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions, caplog: pytest.LogCaptureFixture
) -> None:
    (small_index.root / STATUS_FILE).mkdir()  # os.replace onto a directory fails, as a full or read-only disk would
    runner = RefreshRunner(sqlite_factory, FakeEmbedder(), small_index)
    runner.start("olga")
    done = runner.wait(WAIT)
    assert (done.phase, done.version_id) == ("done", small_index.current_id())
    assert re.search(r"could not write the refresh status to .*REFRESH\.json", caplog.text)
    assert not [p for p in os.listdir(small_index.root) if p.endswith(".tmp")]  # no temporary file left behind


@pytest.mark.parametrize(
    "status",
    [
        RefreshStatus(),
        RefreshStatus(phase="embedding", percent=33.333333, embedded=5, to_embed=15, started_by="olga",
                      started_at=datetime(2026, 5, 1, 9, 30, 12, 345678, tzinfo=UTC), previous_id="v1"),
        RefreshStatus(phase="failed", percent=12.5, started_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
                      finished_at=datetime(2026, 5, 1, 9, 31, tzinfo=UTC), error="OSError: no space left on device"),
    ],
)
def test_the_record_round_trips_exactly(status: RefreshStatus) -> None:
    record = json.loads(json.dumps(status.record()))
    assert record["running"] == status.running
    assert RefreshStatus.from_record(record) == status


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"phase": "done", "started_at": "yesterday"}'])
def test_an_unreadable_status_file_is_ignored(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions, content: str
) -> None:
    (small_index.root / STATUS_FILE).write_text(content, encoding="utf-8")
    assert RefreshRunner(sqlite_factory, FakeEmbedder(), small_index).status() == RefreshStatus()
