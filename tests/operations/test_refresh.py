"""Index refresh in the background: progress readable from any thread, one at a time, failures keep the old index."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import IndexBusyError
from assistant.index import build as build_module
from assistant.index.embedders import FakeEmbedder
from assistant.index.manifest import read_manifest
from assistant.index.versions import IndexVersions
from assistant.operations.refresh import RefreshRunner, RefreshStatus
from assistant.operations.versions import rollback
from tests.index.test_build import COUNTS, DENSE, FailingEmbedder, staging_left
from tests.operations.conftest import audit_actions

WAIT = 30  # seconds; a refresh of the small store takes well under one


class WatchingEmbedder(FakeEmbedder):
    """Records the runner's status each time a batch is embedded, as another thread would read it."""

    def __init__(self) -> None:
        super().__init__()
        self.runner: RefreshRunner | None = None
        self.seen: list[RefreshStatus] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        assert self.runner is not None
        self.seen.append(self.runner.status())
        return super().embed_passages(texts)


class BlockingEmbedder(FakeEmbedder):
    """Holds the first batch until released, so a test can act while a refresh runs."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.entered.set()
        assert self.release.wait(WAIT)
        return super().embed_passages(texts)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The small store has 16 texts to embed: batches of 4 give progress in between, and a failure halfway.
    monkeypatch.setattr(build_module, "EMBED_BATCH", 4)


def test_refresh_publishes_a_new_version_and_reports_progress(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions
) -> None:
    first = small_index.current_id()
    embedder = WatchingEmbedder()
    runner = RefreshRunner(sqlite_factory, embedder, small_index)
    embedder.runner = runner
    assert runner.status() == RefreshStatus() and not runner.status().running
    started = runner.start("olga")
    assert (started.phase, started.running, started.started_by, started.previous_id) == (
        "reading store", True, "olga", first)
    done = runner.wait(WAIT)
    assert (done.phase, done.percent, done.error, done.running) == ("done", 100.0, None, False)
    assert done.version_id == small_index.current_id() != first
    assert done.started_at is not None and done.finished_at is not None and done.started_at <= done.finished_at
    assert (done.embedded, done.to_embed) == (DENSE, DENSE)
    assert [(s.phase, s.embedded, s.to_embed) for s in embedder.seen] == [
        # The total is known before the first batch, so the panel can say "0 of 16" from the start.
        ("embedding", 0, 16), ("embedding", 4, 16), ("embedding", 8, 16), ("embedding", 12, 16)]
    percents = [s.percent for s in [started, *embedder.seen, done]]
    assert percents == sorted(percents) and percents[1:4] == [5.0, 25.0, 45.0]
    assert embedder.seen[2].message == "embedding 8 of 16" and done.message == f"done: built {done.version_id}"
    assert done.to_dict()["percent"] == 100.0 and done.to_dict()["version_id"] == done.version_id
    assert audit_actions(sqlite_factory, "index") == [
        ("olga", "index.refresh.start", first), ("olga", "index.refresh.done", done.version_id)]


def test_a_failed_refresh_leaves_the_previous_version_serving(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions
) -> None:
    first = small_index.current_id()
    runner = RefreshRunner(sqlite_factory, FailingEmbedder(3, RuntimeError("model crashed")), small_index)
    runner.start("olga")
    failed = runner.wait(WAIT)
    assert (failed.phase, failed.error, failed.version_id) == ("failed", "RuntimeError: model crashed", None)
    assert failed.message == "failed: RuntimeError: model crashed" and failed.finished_at is not None
    assert failed.embedded == 8 and 5.0 < failed.percent < 85.0  # it stopped halfway through embedding
    assert small_index.current_id() == first and small_index.versions() == [first]
    assert staging_left(small_index.root) == []
    assert audit_actions(sqlite_factory, "index") == [
        ("olga", "index.refresh.start", first), ("olga", "index.refresh.failed", first)]
    # And the next refresh works.
    runner.embedder = FakeEmbedder()
    runner.start("olga")
    assert runner.wait(WAIT).phase == "done" and small_index.current_id() != first


def test_one_refresh_at_a_time_and_no_rollback_meanwhile(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions
) -> None:
    first = small_index.current_id()
    embedder = BlockingEmbedder()
    runner = RefreshRunner(sqlite_factory, embedder, small_index)
    runner.start("olga")
    try:
        assert embedder.entered.wait(WAIT)
        seen = runner.status()  # read from this thread while the build thread works
        assert (seen.phase, seen.running) == ("embedding", True)
        with pytest.raises(IndexBusyError, match=r"^an index refresh is already running \(started .+ by olga, "
                                                 r"embedding 0 of 16\)$"):
            runner.start("pavel")
        # Another runner (another worker process) is held off by the build lock, and says whose refresh runs.
        with pytest.raises(IndexBusyError, match=r"^an index refresh is already running \(started .+ by olga, "
                                                 r"embedding 0 of 16\)$"):
            RefreshRunner(sqlite_factory, FakeEmbedder(), small_index).start("pavel")
        # A rollback through the very IndexVersions the runner was given must not slip past the build.
        with pytest.raises(IndexBusyError, match="another `skillpath index` is running"):
            rollback(sqlite_factory, small_index, actor="pavel")
    finally:
        embedder.release.set()
    assert runner.wait(WAIT).phase == "done"
    assert small_index.current_id() != first
    assert [a for _, a, _ in audit_actions(sqlite_factory, "index")] == ["index.refresh.start", "index.refresh.done"]


def test_start_refused_while_the_command_line_builds(
    sqlite_factory: sessionmaker[Session], small_index: IndexVersions
) -> None:
    runner = RefreshRunner(sqlite_factory, FakeEmbedder(), small_index)
    with IndexVersions(small_index.root).build_lock():
        with pytest.raises(IndexBusyError, match=r"another `skillpath index` is running \(lock: .*\.lock\)"):
            runner.start("olga")
    assert runner.status() == RefreshStatus() and audit_actions(sqlite_factory, "index") == []


def test_counts_of_the_new_version(sqlite_factory: sessionmaker[Session], small_index: IndexVersions) -> None:
    runner = RefreshRunner(sqlite_factory, FakeEmbedder(), small_index)
    runner.start(None)
    done = runner.wait(WAIT)
    assert read_manifest(small_index.root / "versions" / done.version_id).counts == COUNTS
    assert audit_actions(sqlite_factory, "index")[-1] == (None, "index.refresh.done", done.version_id)
