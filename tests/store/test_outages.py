"""Store outages in plain words: each driver message gets a reason a person can act on, and nothing of the driver's."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from assistant.store.outages import OUTAGES, reason, unavailable


def wrapped(orig: Exception, cls: type[OperationalError] | type[InterfaceError] = OperationalError,
            invalidated: bool = False) -> Exception:
    """As SQLAlchemy raises it: the DBAPI error as .orig, the SQL statement (which must not leak) beside it."""
    return cls("SELECT secret FROM users", {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (wrapped(psycopg.OperationalError('connection failed: connection to server at "10.0.0.5", port 5432 '
                                          "failed: Connection refused")), "cannot connect to the database server"),
        (wrapped(psycopg.errors.ConnectionTimeout("connection timeout expired")),
         "the database server did not answer in time"),
        (wrapped(psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")),
         "the connection to the database was lost"),
        (wrapped(psycopg.OperationalError("terminating connection due to administrator command")),
         "the connection to the database was lost"),
        (wrapped(psycopg.InterfaceError("the connection is closed"), InterfaceError),
         "the connection to the database was lost"),
        (wrapped(psycopg.OperationalError("unexpected end of stream"), invalidated=True),
         "the connection to the database was lost"),
        (wrapped(psycopg.OperationalError("FATAL: sorry, too many clients already")),
         "the database has no free connections"),
        (wrapped(psycopg.OperationalError("FATAL: remaining connection slots are reserved")),
         "the database has no free connections"),
        (wrapped(psycopg.OperationalError('FATAL: password authentication failed for user "app"')),
         "the database refused the login"),
        (wrapped(psycopg.OperationalError('FATAL: database "skillpath" does not exist')),
         "the database is not set up (run `skillpath ingest` to migrate it)"),
        (wrapped(sqlite3.OperationalError("database is locked")), "the database is locked by another process"),
        (wrapped(sqlite3.OperationalError("unable to open database file")), "the database file cannot be opened"),
        (wrapped(sqlite3.OperationalError("disk I/O error")), "the database had a disk I/O error"),
        (wrapped(sqlite3.OperationalError("database or disk is full")), "the database's disk is full"),
        (wrapped(sqlite3.OperationalError("attempt to write a readonly database")), "the database is read-only"),
        (wrapped(sqlite3.OperationalError("no such table: conversations")),
         "the database is not set up (run `skillpath ingest` to migrate it)"),
        (wrapped(sqlite3.OperationalError("something new")), "the database answered with an error (OperationalError)"),
        (DisconnectionError("ping failed"), "the connection to the database was lost"),
        (PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached"), "every database connection is busy"),
    ],
)
def test_each_outage_is_told_in_plain_words(exc: Exception, expected: str) -> None:
    assert isinstance(exc, OUTAGES)
    assert reason(exc) == expected
    message = str(unavailable(exc))
    assert message == f"the store is unavailable: {expected}; please try again shortly"
    assert not any(leak in message for leak in ("10.0.0.5", "SELECT", "psycopg", "sqlite3", "app\""))
