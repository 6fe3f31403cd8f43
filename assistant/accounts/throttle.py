"""Failed logins counted per client address, beside the per-username count the accounts service keeps.

The username throttle stops guessing one account's password; this one stops one address trying many usernames
(spraying a common password over every name). `max_failures` within `window` lock the address for `lockout` from
the failure that tripped it; attempts while locked are refused unchecked and do not extend the lock, so a lock-out
always ends. Counts live in memory, per process (like the rate limits, assistant/api/ratelimit.py): a restart
forgets them, and N workers allow N times as many tries. The limit is generous because a public employment office
puts all its staff behind one address.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_ADDRESSES = 10_000  # addresses remembered at most; the least recently seen is forgotten first


@dataclass
class _Record:
    failures: deque[datetime] = field(default_factory=deque)
    locked_until: datetime | None = None


class AddressThrottle:
    """Thread-safe per-address failure counts with locks that expire."""

    def __init__(self, *, max_failures: int = 20, window: timedelta = timedelta(minutes=15),
                 lockout: timedelta = timedelta(minutes=15), max_addresses: int = MAX_ADDRESSES) -> None:
        if max_failures < 1:
            raise ValueError(f"max_failures must be at least 1, got {max_failures}")
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.max_addresses = max_addresses
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def locked_until(self, address: str, now: datetime) -> datetime | None:
        """End of this address's lock, or None when it may try."""
        with self._lock:
            record = self._records.get(address)
            if record is None or record.locked_until is None:
                return None
            if now >= record.locked_until:  # served its time: a fresh start
                del self._records[address]
                return None
            return record.locked_until

    def failed(self, address: str, now: datetime) -> datetime | None:
        """Count a failure; the end of the lock it started, or None while the address is under the limit."""
        with self._lock:
            record = self._records.pop(address, None) or _Record()
            self._records[address] = record  # most recently seen last
            while len(self._records) > self.max_addresses:
                self._records.popitem(last=False)
            if record.locked_until is not None and now < record.locked_until:
                return record.locked_until  # already locked: not counted, not extended
            failures = record.failures
            failures.append(now)
            while failures and now - failures[0] > self.window:
                failures.popleft()
            if len(failures) >= self.max_failures:
                record.locked_until = now + self.lockout
                failures.clear()
                return record.locked_until
            return None

    def __len__(self) -> int:
        return len(self._records)
