"""Retention: expired conversations, audit entries and uploaded files are purged, by the service and by the CLI.

Periods are counted from the last activity and set by SKILLPATH_RETENTION_DAYS_* (0 keeps that kind forever):
- conversations no counsellor worked on: 90 days. The conversation id lives only in the person's browser tab, so
  after the tab is closed only a saved plan link or a counsellor reaches it; three months covers a job search and
  a counsellor picking the session up, and keeping less is what the personal-information law asks for.
- conversations with casework (notes, reviews, a plan, an assignment): 365 days after the last counsellor or
  job-seeker activity, long enough to follow a plan through a course or the first year of an apprenticeship.
- operators' uploaded files: 90 days (what was imported stays in the store; the file is only kept to re-read).
- audit entries: 365 days; China's Cybersecurity Law (art. 21) asks for network logs to be kept at least six months.

Each purge that deletes something is recorded in the audit log with its counts (never content). With several
`serve` workers each runs its own loop; a second purge finds nothing left and records nothing.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.config import Settings
from assistant.errors import NotFoundError
from assistant.operations.uploads import Uploads
from assistant.store.db import store_lock
from assistant.store.clock import as_utc, utc_now
from assistant.store.retention import Cutoffs, purge_store

ACTION = "retention.purge"
FIRST_RUN_DELAY = 60.0  # seconds after start: a restart loop neither skips purges nor slows the start-up
# Upload folder names start with their UTC upload time (see uploads.new_upload_id).
_UPLOAD_ID = re.compile(r"(\d{8}T\d{6})\d{3}Z-[0-9a-f]{6}")
DELETING = ".deleting-"
log = logging.getLogger("skillpath.retention")


@dataclass(frozen=True)
class Policy:
    """Retention periods in days; 0 keeps that kind forever."""

    conversations: int
    casework: int
    uploads: int
    audit: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(settings.retention_days_conversations, settings.retention_days_casework,
                   settings.retention_days_uploads, settings.retention_days_audit)

    def __post_init__(self) -> None:
        negative = [name for name, days in asdict(self).items() if days < 0]
        if negative:
            raise ValueError(f"retention days must be 0 (keep forever) or more; negative: {', '.join(negative)}")

    def cutoff(self, days: int, now: datetime) -> datetime | None:
        return as_utc(now) - timedelta(days=days) if days > 0 else None


@dataclass(frozen=True)
class PurgeReport:
    """What expired, by kind, and whether it was deleted (not in a dry run)."""

    conversations: int
    casework_conversations: int
    messages: int
    audit_events: int
    uploads: int
    dry_run: bool

    @property
    def total(self) -> int:
        return (self.conversations + self.casework_conversations + self.messages + self.audit_events
                + self.uploads)

    def to_dict(self) -> dict[str, int | bool]:
        return asdict(self)


def _last_activity(uploads: Uploads, folder: Path) -> datetime | None:
    """When the upload was last touched (imported, else uploaded); from its name when the manifest is unreadable."""
    try:
        upload = uploads.get(folder.name)
        return as_utc(datetime.fromisoformat(upload.imported_at or upload.uploaded_at))
    except (NotFoundError, ValueError, KeyError, TypeError):
        match = _UPLOAD_ID.fullmatch(folder.name)
        return datetime.strptime(match[1], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc) if match else None


def expired_uploads(uploads: Uploads, cutoff: datetime | None) -> list[Path]:
    """Upload folders last touched before the cutoff, oldest first."""
    if cutoff is None or not uploads.root.is_dir():
        return []
    found = []
    for folder in sorted(uploads.root.iterdir()):
        if folder.is_dir() and _UPLOAD_ID.fullmatch(folder.name):
            last = _last_activity(uploads, folder)
            if last is not None and last < cutoff:
                found.append(folder)
    return found


def _remove(root: Path, folders: list[Path]) -> None:
    # Renamed first, so the console never lists an upload that is half gone; what could not be removed
    # (a leftover .deleting- folder, or one that could not be renamed) is tried again at the next purge.
    for folder in folders:
        try:
            folder.rename(folder.with_name(f"{DELETING}{folder.name}"))
        except OSError as exc:
            log.warning("retention: could not remove upload %s (%s)", folder.name, exc)
    for doomed in root.glob(f"{DELETING}*"):
        shutil.rmtree(doomed, ignore_errors=True)


def purge(sessions: sessionmaker[Session], uploads: Uploads, policy: Policy, *, now: datetime | None = None,
          dry_run: bool = False, actor: str | None = None) -> PurgeReport:
    """Delete what has expired at `now` (one transaction, with its audit entry), then the expired upload files."""
    now = as_utc(now or utc_now())
    cutoffs = Cutoffs(conversations=policy.cutoff(policy.conversations, now),
                      casework=policy.cutoff(policy.casework, now), audit=policy.cutoff(policy.audit, now))
    files = expired_uploads(uploads, policy.cutoff(policy.uploads, now))
    with sessions.begin() as session:
        store = purge_store(session, cutoffs, dry_run=dry_run)
        report = PurgeReport(store.conversations, store.casework_conversations, store.messages, store.audit_events,
                             len(files), dry_run)
        if not dry_run and report.total:
            detail = {k: v for k, v in report.to_dict().items() if k != "dry_run"}
            audit.record(session, actor, ACTION, "", detail, now=now)
    if not dry_run and uploads.root.is_dir():
        _remove(uploads.root, files)
    return report


class PurgeLoop:
    """Runs `job` in a background thread: first after `first_delay` seconds, then every `every` seconds."""

    def __init__(self, job: Callable[[], object], *, every: float, first_delay: float = FIRST_RUN_DELAY) -> None:
        if every <= 0:
            raise ValueError(f"every must be positive, got {every}")
        self.job, self.every, self.first_delay = job, every, first_delay
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="skillpath-purge", daemon=True)
        self.runs = 0

    def start(self) -> PurgeLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to end and wait for a purge in progress to finish (its transaction is not cut short)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        delay = self.first_delay
        while not self._stop.wait(delay):
            try:
                self.job()
            except Exception:  # noqa: BLE001 - a failed purge is logged and tried again at the next interval
                log.exception("retention purge failed")
            self.runs += 1
            delay = self.every


def start_purge_loop(settings: Settings, sessions: sessionmaker[Session], uploads: Uploads) -> PurgeLoop | None:
    """The service's loop, or None when SKILLPATH_PURGE_EVERY_HOURS is 0 (purges then come from `skillpath purge`)."""
    if settings.purge_every_hours <= 0:
        return None
    policy = Policy.from_settings(settings)

    def job() -> None:
        # Every `serve` worker runs this loop, all started together: one purge at a time among them, so two never
        # delete the same rows at once (on PostgreSQL that could deadlock); the later ones find nothing left.
        with store_lock(sessions.kw["bind"], "purge"):
            report = purge(sessions, uploads, policy)
        if report.total:
            log.info("retention purge: %s", report.to_dict())

    return PurgeLoop(job, every=settings.purge_every_hours * 3600, first_delay=FIRST_RUN_DELAY).start()
