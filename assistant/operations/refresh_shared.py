"""The refresh status in a file beside the index, so every `serve` worker reports the refresh whichever one runs it.

Each worker process has its own RefreshRunner; the console's progress panel polls whichever worker the
connection lands on. The runner that builds writes its status here on every step, with its pid and host;
the others read it. A status still marked running whose process has died (a killed worker) reads as failed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

log = logging.getLogger("skillpath.operations")

STATUS_FILE = "REFRESH.json"
INTERRUPTED = "interrupted: the process running it (pid {pid}) ended before it finished"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, under another user
        return True
    return True


class SharedStatus:
    """Reads and writes <index root>/REFRESH.json; a write that fails is logged, never raised into the build."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / STATUS_FILE

    def write(self, status: dict[str, Any]) -> None:
        body = {**status, "owner": {"pid": os.getpid(), "host": socket.gethostname()}}
        tmp = self.path.with_name(f".{STATUS_FILE}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)  # readers see the old status or the new, never half of one
        except OSError as exc:  # progress is informative; the build and its audit entries do not depend on it
            log.warning("could not write the refresh status to %s: %s", self.path, exc)
            tmp.unlink(missing_ok=True)

    def read(self) -> dict[str, Any] | None:
        """The last status any process wrote, or None; a running one whose process is gone reads as failed."""
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(body, dict):
            return None
        owner = body.pop("owner", None) or {}
        pid, host = owner.get("pid"), owner.get("host")
        if body.get("running") and isinstance(pid, int) and host == socket.gethostname() and not _alive(pid):
            body.update(phase="failed", running=False, error=INTERRUPTED.format(pid=pid))
        return body
