"""A size and time budget for reading documents: an upload past it is refused with a clear reason, not left running."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.problems import CodedInputError

MIB = 1024 * 1024


class BudgetExceededError(CodedInputError):
    """A document too large, or taking too long, to read within the budget (the upload cannot be imported)."""


@dataclass(frozen=True)
class DocumentBudget:
    """Limits for one parse (all its documents together for the time); None: no limit."""

    max_bytes: int | None = None
    seconds: float | None = None
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)  # tests pass their own

    @classmethod
    def of(cls, max_mib: float, seconds: float) -> DocumentBudget:
        """From the settings' units; 0 means no limit."""
        return cls(int(max_mib * MIB) if max_mib > 0 else None, seconds if seconds > 0 else None)

    def start(self) -> BudgetClock:
        return BudgetClock(self, self.clock, self.clock())


UNLIMITED = DocumentBudget()


@dataclass
class BudgetClock:
    """One parse's running budget: check_size before reading a file, check_time between steps."""

    budget: DocumentBudget
    clock: Callable[[], float] = field(repr=False)
    started: float

    def check_size(self, path: Path, size: int) -> None:
        limit = self.budget.max_bytes
        if limit is not None and size > limit:
            raise BudgetExceededError(
                path, "doc_too_large", f"document is {size / MIB:.1f} MiB; the limit is {limit / MIB:.1f} MiB",
                params={"size": f"{size / MIB:.1f}", "limit": f"{limit / MIB:.1f}"},
            )

    def check_time(self, path: Path) -> None:
        limit = self.budget.seconds
        if limit is not None and self.clock() - self.started > limit:
            raise BudgetExceededError(
                path, "doc_too_slow", f"reading the documents took longer than {limit:g} s (the limit); "
                                      "split the file into smaller ones",
                params={"limit": f"{limit:g}"},
            )
