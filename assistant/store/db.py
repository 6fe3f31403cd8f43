"""Engine, sessions and schema migrations for the store (SQLite default, PostgreSQL by URL)."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import StoreUnavailableError
from assistant.store.sqlite_writes import serialise_writes

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT = 10  # seconds to reach PostgreSQL before a request is answered 503


def pool_options(url: str, threads: int) -> dict[str, Any]:
    """Connection pool sized for `threads` request threads (two connections each at most); none for in-memory SQLite."""
    if url.startswith("sqlite") and (make_url(url).database or ":memory:") == ":memory:":
        return {}
    return {"pool_size": threads, "max_overflow": threads + 4, "pool_timeout": 10}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys on and WAL so readers don't block the importer."""
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros, not just unlinked: a deleted conversation's words must not
            # stay readable in the file's free pages (the WAL is checkpointed after a deletion, see scrub_deleted).
            cur.execute("PRAGMA secure_delete=ON")
            if path and path != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        if path and path != ":memory:":
            serialise_writes(engine)  # threads queue for the write lock instead of polling SQLite for it
        return engine
    if make_url(url).get_backend_name() == "postgresql" and "connect_timeout" not in make_url(url).query:
        # A database host that is down answers nothing: without a limit each request would hang for minutes
        # (until TCP gives up) instead of getting its 503. A URL's own ?connect_timeout= wins.
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT, **kwargs.get("connect_args", {})}
    # pre_ping: a pooled connection the server (or the network) dropped is replaced, not handed to a request.
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def scrub_deleted(engine: Engine) -> bool:
    """After a deletion on SQLite: copy the zeroed pages into the database file and empty the WAL, whose older
    frames still hold the deleted text. True when the WAL was emptied; False when a reader still needed an older
    snapshot (the next checkpoint, automatic at 1,000 pages, finishes it) or there is nothing to do (PostgreSQL:
    see docs/operating.md on VACUUM; in-memory SQLite).
    """
    if engine.dialect.name != "sqlite" or (make_url(engine.url).database or ":memory:") == ":memory:":
        return False
    with engine.connect() as conn:
        # Outside any transaction: a checkpoint cannot run inside one.
        busy, _frames, _done = conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    return not busy


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@contextmanager
def store_lock(engine: Engine, name: str) -> Iterator[None]:
    """Held by one process at a time among all that use this store (blocking): for one-off work such as migrations.

    PostgreSQL: a session advisory lock on a connection of its own, idle outside any transaction while held (so no
    idle-in-transaction timeout ends it); a process that dies releases it with its connection.
    SQLite: a flock on a file beside the database (the OS drops it when its holder dies). In-memory: nothing to share.
    """
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(f"skillpath:{name}".encode(), digest_size=8).digest(), "big", signed=True)
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                except Exception:  # noqa: BLE001 - a lost connection took the lock with it; never pool this one
                    conn.invalidate()
        return
    path = make_url(engine.url).database or ""
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    try:
        fd = os.open(f"{path}.{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # the database's folder is gone or unwritable: the store cannot be used either
        raise StoreUnavailableError(f"cannot reach the store: {path}.{name}.lock: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the flock


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent, and safe when several processes start at once)."""
    cfg = _alembic_config()
    try:
        # Without the lock, two processes migrating an empty store both create the tables and all but one crash.
        with store_lock(engine, "migrate"), engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StoreUnavailableError(f"cannot reach the store: {exc.orig}") from exc


def schema_revision(engine: Engine) -> tuple[str | None, str]:
    """(current revision in the database, newest revision shipped) for health checks."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise StoreUnavailableError(f"cannot reach the store: {exc.orig}") from exc
    return current, head or ""
