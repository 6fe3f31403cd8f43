"""Fault-test harness: a small data home, `skillpath serve` as a real process, a PostgreSQL home, a tmpfs mount."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from assistant.config import Settings
from assistant.index.build import build_index
from assistant.index.documents import store_hash
from assistant.index.embedders import FakeEmbedder
from assistant.index.manifest import read_manifest
from assistant.index.versions import IndexVersions
from assistant.store.db import make_engine, make_sessionmaker, migrate, schema_revision
from tests.conftest import PG_ENV, ROOT, IndexedHome, _pg_database
from tests.index.test_build import small_store

START_TIMEOUT = 120  # seconds for `skillpath serve` to answer /healthz; about 10 s on an idle 2-core machine


def home_env(home: Path, **extra: str) -> dict[str, str]:
    return {"SKILLPATH_HOME": str(home), "SKILLPATH_EMBEDDER": "fake", **extra}


@pytest.fixture
def small_home(tmp_path: Path) -> IndexedHome:
    """A data home whose SQLite store holds the index tests' small store, with one version built (under a second)."""
    home = tmp_path / "home"
    env = home_env(home)
    settings = Settings.from_env(env)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        sessions = make_sessionmaker(engine)
        small_store(sessions)
        build_index(sessions, FakeEmbedder(), IndexVersions(settings.index_dir, keep=settings.index_keep))
    finally:
        engine.dispose()
    return IndexedHome(home, env, settings)


def assert_store_consistent(database_url: str) -> None:
    """The store opens, its schema is at the newest revision, and (SQLite) every page and index checks out."""
    engine = make_engine(database_url)
    try:
        current, head = schema_revision(engine)
        assert current == head, f"store schema at {current}, expected {head}"
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        engine.dispose()


# --- `skillpath serve` as a process ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """One JSON request; (status, parsed body) for errors too."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@dataclass
class Server:
    """A `skillpath serve` process; its output goes to a file (a pipe nobody reads would block it)."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self, sig: signal.Signals) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


def start_server(env: dict[str, str], log: Path) -> Server:
    """Start `python -m assistant.cli serve` and wait until /healthz answers 200."""
    port = free_port()
    # Only the variables given: a developer's own SKILLPATH_* settings must not leak into the test.
    full = {k: v for k, v in os.environ.items() if not k.startswith("SKILLPATH_")}
    full.update(env, SKILLPATH_PORT=str(port), PYTHONPATH=str(ROOT))
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve"], cwd=ROOT, env=full,
                                stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if http("GET", server.url + "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    pytest.fail(f"`skillpath serve` did not answer /healthz in time (exit {proc.returncode}):\n{server.output()}")


@contextmanager
def running(env: dict[str, str], log: Path) -> Iterator[Server]:
    """A server that is killed on the way out if the test has not stopped it already."""
    server = start_server(env, log)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


# --- PostgreSQL --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_home(indexed_home: IndexedHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexedHome]:
    """The bundled defaults in a fresh PostgreSQL database, served with indexed_home's index (same content hash)."""
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"{PG_ENV} not set (CI sets it after starting PostgreSQL)")
    from assistant.cli import main

    home = tmp_path_factory.mktemp("pg-faults") / "home"
    for url in _pg_database(admin_url):
        env = home_env(home, SKILLPATH_DATABASE_URL=url)
        assert main(["ingest"], environ=env) == 0
        # The index depends on the store's content only: the SQLite home's version fits and saves a 15 s build.
        shutil.copytree(indexed_home.settings.index_dir, home / "index")
        settings = Settings.from_env(env)
        engine = make_engine(url)
        try:
            with make_sessionmaker(engine)() as session:
                digest = store_hash(session)
        finally:
            engine.dispose()
        serving = IndexVersions(home / "index").current_path()
        assert serving is not None and read_manifest(serving).store_hash == digest, "the PostgreSQL store differs from the SQLite one the index was built from"
        yield IndexedHome(home, env, settings)


# --- tmpfs ---------------------------------------------------------------------------------------------------------

def unavailable(what: str) -> None:
    """Skip where the fault cannot be staged (no root, no mount); in CI that is a failure instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set: .ci/run runs as root, where this works)")
    pytest.skip(what)


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on path (created empty) for the duration; needs root."""
    if os.geteuid() != 0:
        unavailable("mounting a tmpfs needs root")
    path.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        unavailable(f"mount -t tmpfs failed: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)
