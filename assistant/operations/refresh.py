"""Index refresh from the console: one build at a time in a background thread, with progress any thread can read.

The build itself is `index.build.build_index`: it writes into a staging folder and switches CURRENT only once
everything is written, so a refresh that fails (or a process that dies) leaves the previous version serving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import numpy as np

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.store.clock import utc_now
from assistant.errors import IndexBusyError, SkillPathError
from assistant.index.build import build_index
from assistant.index.embedders import Embedder
from assistant.index.versions import IndexVersions
from assistant.operations.refresh_shared import SharedStatus

log = logging.getLogger("skillpath.operations")
PROGRESS_SLICE = 1024  # texts between two progress reports: smaller slices cost the batch engine throughput

# phase -> (percent at its start, percent at its end); embedding moves with the texts embedded.
PHASES = {
    "idle": (0.0, 0.0),
    "reading store": (0.0, 5.0),
    "embedding": (5.0, 85.0),
    "writing": (85.0, 95.0),
    "publishing": (95.0, 100.0),
    "done": (100.0, 100.0),
}


@dataclass(frozen=True)
class RefreshStatus:
    """A snapshot of the current (or last) refresh; immutable, so a reader never sees half an update."""

    phase: str = "idle"  # idle | reading store | embedding | writing | publishing | done | failed
    percent: float = 0.0
    embedded: int = 0  # texts embedded so far (those the cache already held count too)
    to_embed: int = 0  # texts to embed; known once the first batch is done
    started_at: datetime | None = None
    finished_at: datetime | None = None
    started_by: str | None = None
    previous_id: str | None = None  # the version serving when the refresh started
    version_id: str | None = None  # the new version, once published
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.phase not in ("idle", "done", "failed")

    @property
    def message(self) -> str:
        if self.phase == "embedding" and self.to_embed:
            return f"embedding {self.embedded:,} of {self.to_embed:,}"
        if self.phase == "failed":
            return f"failed: {self.error}"
        if self.phase == "done":
            return f"done: built {self.version_id}"  # what serves is the console's one line (_nav.html)
        return self.phase

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase, "message": self.message, "percent": round(self.percent, 1), "running": self.running,
            "embedded": self.embedded, "to_embed": self.to_embed, "started_by": self.started_by,
            "started_at": self.started_at.isoformat(timespec="seconds") if self.started_at else None,
            "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
            "previous_id": self.previous_id, "version_id": self.version_id, "error": self.error,
        }

    def record(self) -> dict[str, Any]:
        """Every field exactly (to_dict rounds for display), for the status file the other workers read."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("started_at", "finished_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return {**out, "running": self.running}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "RefreshStatus":
        values = {f.name: record.get(f.name, f.default) for f in fields(cls)}
        for key in ("started_at", "finished_at"):
            values[key] = datetime.fromisoformat(values[key]) if values[key] else None
        return cls(**values)


class _ProgressEmbedder:
    """The runner's embedder, embedding each batch the build asks for in slices and reporting after each: a batch
    of 2,048 texts takes the real model most of a minute on 2 cores, and the panel should move meanwhile."""

    def __init__(self, inner: Embedder, report: Callable[[int], None]) -> None:
        self._inner, self._report = inner, report

    def __getattr__(self, name: str) -> Any:  # name, version, dim, hits, ...: the wrapped embedder's own
        return getattr(self._inner, name)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), PROGRESS_SLICE):
            parts.append(self._inner.embed_passages(texts[start : start + PROGRESS_SLICE]))
            self._report(min(start + PROGRESS_SLICE, len(texts)))
        return np.concatenate(parts) if parts else self._inner.embed_passages(texts)


def _busy(s: RefreshStatus) -> IndexBusyError:
    since = s.started_at.isoformat(timespec="seconds") if s.started_at else "?"
    return IndexBusyError(
        f"an index refresh is already running (started {since} by {s.started_by or 'the system'}, {s.message})"
    )


class RefreshRunner:
    """Starts refreshes and reports on them; one per process (the web app keeps one), one build at a time.

    Builds from other processes (other `serve` workers, `skillpath index`) are excluded by the index's build lock,
    which start() takes and the build thread holds until its status is final. Each step's status also goes to a
    file beside the index (refresh_shared.py), so every worker reports the refresh whichever worker runs it.
    """

    def __init__(
        self, sessions: sessionmaker[Session], embedder: Embedder, versions: IndexVersions, *,
        approximate_above: int = 50_000, clock: Callable[[], datetime] = utc_now, views: Embedder | None = None,
    ) -> None:
        self.sessions, self.embedder, self.clock, self.approximate_above = sessions, embedder, clock, approximate_above
        self.views = views  # the second model for English skills (index/skill_views.py)
        # A private IndexVersions: one marks itself as locked while it builds, and a rollback through a shared
        # instance would then skip the lock and could race the publish. Separate instances contend on the file lock.
        self.versions = IndexVersions(versions.root, keep=versions.keep)
        self._lock = threading.Lock()
        self._status = RefreshStatus()
        self._thread: threading.Thread | None = None
        self._shared = SharedStatus(self.versions.root)

    def status(self) -> RefreshStatus:
        """This process's refresh while it runs; otherwise the latest one any worker started (ours if equal)."""
        with self._lock:
            local = self._status
            if self._thread is not None and self._thread.is_alive():
                return local
        shared = self._shared_status()
        if shared is None or shared.started_at is None:
            return local
        # Ours when at least as recent: exact, and right even when our writes to the file failed (a full disk).
        return local if local.started_at is not None and local.started_at >= shared.started_at else shared

    def _shared_status(self) -> RefreshStatus | None:
        record = self._shared.read()
        try:
            return RefreshStatus.from_record(record) if record is not None else None
        except (TypeError, ValueError):  # a file from another version of the code: ignore it
            return None

    def start(self, actor: str | None) -> RefreshStatus:
        """Begin a refresh in the background; IndexBusyError (HTTP 409) while one runs, here or elsewhere."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise _busy(self._status)
            held = ExitStack()
            try:
                # Taken here, held by the build thread: a second worker asked a moment later is refused, rather
                # than both starting and one build failing on the lock. Busy: another worker or `skillpath index`.
                held.enter_context(self.versions.build_lock())
            except IndexBusyError:
                other = self._shared_status()
                if other is not None and other.running:
                    raise _busy(other) from None
                raise
            try:
                now = self.clock()
                previous = self.versions.current_id()
                with self.sessions.begin() as session:
                    audit.record(session, actor, "index.refresh.start", target=previous or "", now=now,
                                 detail={"previous": previous})
                self._status = RefreshStatus(phase="reading store", started_at=now, started_by=actor,
                                             previous_id=previous)
                self._shared.write(self._status.record())
                self._thread = threading.Thread(target=self._run, args=(actor, held), name="skillpath-refresh",
                                                daemon=True)
                # daemon: a server shutting down does not wait minutes for a build; the build lock and the staging
                # folder of a killed build are cleaned up by the next one.
                self._thread.start()
            except BaseException:
                held.close()
                raise
            return self._status

    def wait(self, timeout: float | None = None) -> RefreshStatus:
        """Block until the running refresh ends (or timeout); the status either way."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)
            status = self._status
        self._shared.write(status.record())  # only the build thread updates: writes cannot overtake each other

    def _in_batch(self, count: int) -> None:
        """Texts embedded so far within the batch being embedded (reported by _ProgressEmbedder)."""
        s = self._status
        if s.phase == "embedding" and s.to_embed:
            done = min(self._batch_start + count, s.to_embed - 1)  # the build's own step reports the last one
            low, high = PHASES["embedding"]
            self._update(embedded=done, percent=low + (high - low) * done / s.to_embed)

    def _step(self, name: str, done: int, total: int) -> None:
        if name == "embed":
            self._batch_start = done
        if name == "read":
            self._update(phase="embedding", percent=PHASES["embedding"][0])
        elif name == "embed":
            low, high = PHASES["embedding"]
            if done >= total:  # the last batch: artifacts are written next
                self._update(phase="writing", embedded=done, to_embed=total, percent=PHASES["writing"][0])
            else:
                self._update(embedded=done, to_embed=total, percent=low + (high - low) * done / max(total, 1))
        elif name == "index":
            self._update(phase="publishing", percent=PHASES["publishing"][0])

    def _run(self, actor: str | None, held: ExitStack) -> None:
        with held:  # the build lock, released once the final status is out
            self._build(actor)

    def _build(self, actor: str | None) -> None:
        try:
            self._batch_start = 0
            report = build_index(self.sessions, _ProgressEmbedder(self.embedder, self._in_batch), self.versions,
                                 approximate_above=self.approximate_above, on_step=self._step, views=self.views)
        except Exception as exc:
            error = str(exc) if isinstance(exc, SkillPathError) else f"{type(exc).__name__}: {exc}"
            log.warning("index refresh failed: %s", error, exc_info=not isinstance(exc, SkillPathError))
            self._finish(actor, "index.refresh.failed", phase="failed", error=error)
            return
        except BaseException:
            self._finish(actor, "index.refresh.failed", phase="failed", error="interrupted")
            raise
        m = report.manifest
        self._finish(actor, "index.refresh.done", phase="done", percent=100.0, version_id=report.version_id,
                     detail={"version": report.version_id, "counts": m.counts, "embedded": report.embedded,
                             "reused": report.reused, "seconds": round(report.seconds, 1)})

    def _finish(self, actor: str | None, action: str, *, detail: dict[str, Any] | None = None, **status: Any) -> None:
        now = self.clock()
        # The status first: an audit log that cannot be written must not leave the refresh looking as if it runs.
        self._update(finished_at=now, **status)
        s = self.status()
        try:
            with self.sessions.begin() as session:
                audit.record(session, actor, action, target=s.version_id or s.previous_id or "", now=now,
                             detail=detail or {"error": (s.error or "")[:500], "previous": s.previous_id})
        except Exception:  # noqa: BLE001 - nobody is waiting on this thread to hear about it
            log.exception("could not record %s in the audit log", action)
