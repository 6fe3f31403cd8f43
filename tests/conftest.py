"""Test tiers (`pytest` is the fast loop, `pytest --full` the whole suite) and shared fixtures: stores on SQLite and
(when configured) PostgreSQL, indexed data homes (fake and real model), paths to shared data."""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.store.db import make_engine, make_sessionmaker, migrate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PG_ENV = "SKILLPATH_TEST_POSTGRES_URL"
# Markers of the full suite only: a real model, a browser, a PostgreSQL server, or over two seconds.
FULL_ONLY = ("slow", "browser", "postgres")
FAST_LIMIT_S = 2.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true",
                     help="the whole suite, as CI runs it: also tests marked slow, browser or postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --full (and without an explicit -m), leave out the full-suite tests: the fast loop stays minutes."""
    if config.getoption("--full") or config.getoption("markexpr"):
        return
    kept, left = [], []
    for item in items:
        (left if any(item.get_closest_marker(m) for m in FULL_ONLY) else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str:
    if config.getoption("--full"):
        return "the full suite (--full)"
    return "the fast tier: tests marked slow, browser or postgres are left out (`pytest --full` runs them)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Name the fast-tier tests that took over two seconds: they belong in the full suite (mark them slow)."""
    if config.getoption("--full") or config.getoption("markexpr"):
        return
    slow = [r for r in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
            if r.when == "call" and r.duration > FAST_LIMIT_S]
    if slow:
        terminalreporter.write_sep("-", f"fast-tier tests over {FAST_LIMIT_S:.0f} s (mark them slow)")
        for r in sorted(slow, key=lambda r: -r.duration):
            terminalreporter.write_line(f"{r.duration:6.1f} s  {r.nodeid}")


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when the shared data is not beside the checkout."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found: {path}")
    return path


def _pg_database(admin_url: str) -> Iterator[str]:
    """A throwaway database on the configured server, dropped afterwards."""
    name = f"skillpath_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store URL: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"{PG_ENV} not set (CI sets it after starting PostgreSQL)")
    yield from _pg_database(admin_url)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    eng = make_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def sqlite_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """SQLite only, for tests about parsing flow rather than the database."""
    eng = make_engine(f"sqlite:///{tmp_path / 'only.db'}")
    migrate(eng)
    yield make_sessionmaker(eng)
    eng.dispose()


@dataclass(frozen=True)
class IndexedHome:
    """A data home holding the bundled defaults on SQLite and one index version built with the fake embedder."""

    home: Path
    env: dict[str, str]
    settings: Settings


@pytest.fixture(scope="session")
def indexed_home(tmp_path_factory: pytest.TempPathFactory) -> IndexedHome:
    """Built once per test run (about 15 s): tests that change it must copy it first (see copy_indexed_home)."""
    from assistant.cli import main

    home = tmp_path_factory.mktemp("indexed")
    env = {"SKILLPATH_HOME": str(home), "SKILLPATH_EMBEDDER": "fake"}
    assert main(["ingest"], environ=env) == 0
    assert main(["index"], environ=env) == 0
    return IndexedHome(home, env, Settings.from_env(env))


@pytest.fixture(scope="session")
def e5_home(tmp_path_factory: pytest.TempPathFactory) -> IndexedHome:
    """The bundled defaults indexed with the real e5-small model, built once per run and shared by the test processes
    (pytest-xdist workers wait for the first one's build). Read-only: tests that write copy it (copy_e5_home).
    SKILLPATH_TEST_EMBEDDING_CACHE may name a warm embedding cache (CI passes the newcomer job's): then seconds."""
    from assistant.cli import main

    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every xdist worker of this run
    home = shared / "e5-home"
    with open(shared / "e5-home.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # No English skill readings: no real-model test ranks skills, and MiniLM would add ~2 min that the newcomer's
        # cache cannot seed (its first `serve` leaves them out).
        env = {"SKILLPATH_HOME": str(home), "SKILLPATH_EMBEDDER": "e5-small", "SKILLPATH_SKILL_VIEWS": "off"}
        if not (home / "ready").exists():
            shutil.rmtree(home, ignore_errors=True)
            seed = os.environ.get("SKILLPATH_TEST_EMBEDDING_CACHE")
            if seed and Path(seed).is_file():
                (home / "cache").mkdir(parents=True)
                shutil.copy(seed, home / "cache" / "embeddings.sqlite")
            assert main(["ingest"], environ=env) == 0
            assert main(["index"], environ=env) == 0
            (home / "ready").touch()
    return IndexedHome(home, env, Settings.from_env(env))


@pytest.fixture(scope="module")
def copy_e5_home(e5_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> IndexedHome:
    """A module's private copy of the e5 home, for tests that hold conversations or change the store."""
    home = tmp_path_factory.mktemp("e5") / "home"
    shutil.copytree(e5_home.home, home)
    env = {**e5_home.env, "SKILLPATH_HOME": str(home)}
    return IndexedHome(home, env, Settings.from_env(env))


@pytest.fixture
def copy_indexed_home(indexed_home: IndexedHome, tmp_path: Path) -> IndexedHome:
    """A private copy of the indexed home, for tests that ingest, rebuild, roll back or kill builds."""
    home = tmp_path / "home"
    shutil.copytree(indexed_home.home, home)
    env = {**indexed_home.env, "SKILLPATH_HOME": str(home)}
    return IndexedHome(home, env, Settings.from_env(env))


@pytest.fixture(scope="session")
def fake_guidance(indexed_home: IndexedHome) -> Iterator[Any]:
    """A read-only GuidanceService over the fake-embedder home, shared by the reading and dialogue tests."""
    from assistant.guidance.service import make_guidance
    from assistant.index.embedders import FakeEmbedder
    from assistant.retrieval.runtime import make_retrieval

    engine = make_engine(indexed_home.settings.database_url)
    sessions = make_sessionmaker(engine)
    service = make_guidance(make_retrieval(indexed_home.settings, sessions, embedder=FakeEmbedder()), sessions)
    yield service
    if service.warmer is not None:
        service.warmer.stop()
    engine.dispose()
