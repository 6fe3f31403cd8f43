"""Progress of long commands as plain lines (stage, counts, elapsed time): the same in a terminal, a log or CI."""

from __future__ import annotations

import sys
import time
from typing import TextIO

# What the counts of each stage are, for the line that reports it.
UNITS = {"read": "documents", "embed": "texts embedded", "dense": "vectors indexed", "write": "documents written",
         "lexical": "units indexed for words",
         "views": "English skill texts read by the second model"}


class StageLines:
    """A callback for build_index's on_step (and the ingest runner's messages): one line when a stage reports,
    at most one every `every` seconds while a long stage counts up, always its last count. A progress bar would
    vanish from a log file or a CI transcript; these lines stay readable there."""

    def __init__(self, prefix: str, out: TextIO | None = None, every: float = 10.0) -> None:
        self.prefix = prefix
        self.out = out or sys.stderr
        self.every = every
        self.started = time.monotonic()
        self._last: tuple[str, float] = ("", 0.0)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        last_stage, last_at = self._last
        if stage == last_stage and done < total and now - last_at < self.every:
            return
        self._last = (stage, now)
        count = f"{done:,}" if done == total else f"{done:,}/{total:,}"
        if stage == "index":  # build_index's last step: the version is complete
            self.say(f"built, {count} units in all")
            return
        self.say(f"{stage} {count} {UNITS.get(stage, '')}".rstrip())

    def say(self, message: str) -> None:
        print(f"{self.prefix}: {message} ({self.elapsed():.1f} s)", file=self.out, flush=True)
