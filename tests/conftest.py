"""Shared fixtures: stores on SQLite and (when configured) PostgreSQL, paths to shared data."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.store.db import make_engine, make_sessionmaker, migrate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PG_ENV = "SKILLPATH_TEST_POSTGRES_URL"


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


@pytest.fixture
def copy_indexed_home(indexed_home: IndexedHome, tmp_path: Path) -> IndexedHome:
    """A private copy of the indexed home, for tests that ingest, rebuild, roll back or kill builds."""
    home = tmp_path / "home"
    shutil.copytree(indexed_home.home, home)
    env = {**indexed_home.env, "SKILLPATH_HOME": str(home)}
    return IndexedHome(home, env, Settings.from_env(env))
