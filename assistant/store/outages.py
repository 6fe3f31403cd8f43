"""Store failures that mean "try again later" (down, unreachable, locked, out of connections), told in plain words."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from assistant.errors import StoreUnavailableError

# What a request may meet when the database is away; a bug (bad SQL, a broken constraint) is none of these.
OUTAGES: tuple[type[Exception], ...] = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)

# Driver messages (psycopg, sqlite3) -> the reason shown. First match wins; hosts, SQL and paths are never shown.
_REASONS = (
    (("connection refused", "could not connect", "no route to host", "name or service not known"),
     "cannot connect to the database server"),
    (("timeout expired", "timed out"), "the database server did not answer in time"),
    (("closed the connection", "connection is lost", "connection is closed", "terminating connection",
      "connection reset", "broken pipe", "server closed", "consuming input failed", "ssl syscall"),
     "the connection to the database was lost"),
    (("database is locked", "database table is locked"), "the database is locked by another process"),
    (("unable to open database file",), "the database file cannot be opened"),
    (("disk i/o error",), "the database had a disk I/O error"),
    (("database or disk is full", "no space left"), "the database's disk is full"),
    (("readonly database", "read-only"), "the database is read-only"),
    (("too many connections", "too many clients", "connection slots are reserved"),
     "the database has no free connections"),
    (("authentication failed", "password"), "the database refused the login"),
    (("no such table", "does not exist"), "the database is not set up (run `skillpath ingest` to migrate it)"),
)


def reason(exc: BaseException) -> str:
    """Why the store cannot be used, in a few words a user or an operator can act on."""
    if isinstance(exc, PoolTimeoutError):
        return "every database connection is busy"
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    text = str(orig).lower()
    for needles, why in _REASONS:
        if any(n in text for n in needles):
            return why
    if isinstance(exc, DisconnectionError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return "the connection to the database was lost"
    return f"the database answered with an error ({type(orig).__name__})"


def unavailable(exc: BaseException) -> StoreUnavailableError:
    """The domain error for an outage; the driver's own message stays in the logs, where the cause is chained."""
    return StoreUnavailableError(f"the store is unavailable: {reason(exc)}; please try again shortly")
