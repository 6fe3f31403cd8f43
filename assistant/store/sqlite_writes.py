"""One SQLite writer at a time within a process, waiting in a queue rather than in SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the file locked sleeps and retries (1, 2, 5 …
100 ms apart) until its busy timeout, and a newcomer can take the lock between two of those retries: at 200
simulated users on one process, 2 in 2,380 chat turns waited out the 5 s timeout and got a 503. Here the threads
of one process take turns on a lock before their first write, so only writers of other processes ever meet the
busy handler. The lock is held from a transaction's first INSERT/UPDATE/DELETE to its commit or rollback.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from sqlalchemy import Engine, event

# Longer than SQLite's own 5 s wait: the queue holds only this process's short writes. A thread still waiting
# after this goes on without its turn (and may then meet the busy handler), so a lost release costs time, not a hang.
TURN_TIMEOUT = 30.0
_WRITES = re.compile(r"^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_KEY = "skillpath_write_turn"


def serialise_writes(engine: Engine) -> threading.Lock:
    """Make the engine's connections take turns on one lock for writing; returns the lock (for tests)."""
    turn = threading.Lock()

    def take(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get(_KEY) is None and _WRITES.match(statement):
            info[_KEY] = turn.acquire(timeout=TURN_TIMEOUT)

    def give_back(info: dict[str, Any]) -> None:
        if info.pop(_KEY, None):
            turn.release()

    event.listen(engine, "before_cursor_execute", take)
    # The lock is given back as the transaction ends: commit and rollback, and the pool's reset and invalidation
    # for connections returned or dropped in the middle of one.
    def ended(conn: Any) -> None:
        give_back(conn.info)

    def reset(_dbapi: Any, record: Any, _state: Any) -> None:
        give_back(record.info)

    def invalidated(_dbapi: Any, record: Any, _exc: Any) -> None:
        give_back(record.info)

    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    event.listen(engine.pool, "reset", reset)
    event.listen(engine.pool, "invalidate", invalidated)
    return turn
