"""How far an import has got, in a file beside the upload: any worker answers the console's progress poll.

The import itself runs in the request that asked for it; the upload page's script polls this while it waits, so the
operator sees the stage (reading the files, writing source i of n, recording) and a percentage that moves.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.index.manifest import atomic_write

log = logging.getLogger("skillpath.operations")
PROGRESS_FILE = "progress.json"
# stage -> (percent at its start, percent at its end); the counts move the percentage within a stage.
STAGES = {
    "waiting": (0.0, 0.0),
    "reading": (2.0, 40.0),
    "writing": (40.0, 90.0),
    "recording": (90.0, 98.0),
    "done": (100.0, 100.0),
    "failed": (100.0, 100.0),
}


@dataclass(frozen=True)
class ImportProgress:
    """One snapshot: the stage, the counts within it (files read, sources written) and the overall percentage."""

    stage: str = "waiting"
    done: int = 0
    total: int = 0
    error: str | None = None

    @property
    def percent(self) -> float:
        low, high = STAGES.get(self.stage, (0.0, 0.0))
        return round(low + (high - low) * (self.done / self.total if self.total else 0.0), 1)

    @property
    def running(self) -> bool:
        return self.stage not in ("done", "failed")

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "percent": self.percent, "running": self.running}


class ProgressFile:
    """Reads and writes one upload's progress; a write that fails is logged, never raised into the import."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / PROGRESS_FILE

    def write(self, progress: ImportProgress) -> None:
        try:
            atomic_write(self.path, json.dumps(asdict(progress), ensure_ascii=False))
        except OSError as exc:  # progress is informative; the import does not depend on it
            log.warning("could not write the import progress to %s: %s", self.path, exc)

    def read(self) -> ImportProgress:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return ImportProgress(str(data["stage"]), int(data["done"]), int(data["total"]), data.get("error"))
        except (OSError, ValueError, KeyError, TypeError):
            return ImportProgress()  # none yet (or unreadable): the import has not started here
