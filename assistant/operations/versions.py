"""Index versions for the console: each with its manifest, which one serves, where rollback goes; rollback itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.store.clock import utc_now
from assistant.errors import IndexNotReadyError
from assistant.index.manifest import read_manifest
from assistant.index.versions import IndexVersions


@dataclass(frozen=True)
class VersionInfo:
    """One complete index version as the console lists it."""

    id: str
    serving: bool
    rollback_target: bool  # the version `rollback` would serve next
    built_at: str | None = None
    embedder: str | None = None
    embedder_version: str | None = None
    dim: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # documents per type
    units: int | None = None
    dense_kind: str | None = None
    build_seconds: float | None = None
    app_version: str | None = None
    stale: bool | None = None  # built from other store content than the store holds now; None: not checked
    problem: str | None = None  # the manifest cannot be read

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def list_versions(versions: IndexVersions, *, store_hash: str | None = None) -> list[VersionInfo]:
    """Complete versions, newest first. Pass the store's current hash to have each flagged stale or not."""
    current = versions.current_id()
    target = versions.previous_id()
    out = []
    for vid in reversed(versions.versions()):
        flags = {"id": vid, "serving": vid == current, "rollback_target": vid == target}
        try:
            m = read_manifest(versions.root / "versions" / vid)
        except IndexNotReadyError as exc:
            out.append(VersionInfo(**flags, problem=str(exc)))
            continue
        out.append(VersionInfo(
            **flags, built_at=m.built_at, embedder=m.embedder, embedder_version=m.embedder_version, dim=m.dim,
            counts=dict(m.counts), units=m.units, dense_kind=m.dense_kind, build_seconds=m.build_seconds,
            app_version=m.app_version or None, stale=None if store_hash is None else m.store_hash != store_hash,
        ))
    return out


def rollback(
    sessions: sessionmaker[Session], versions: IndexVersions, *, actor: str | None, now: datetime | None = None
) -> str:
    """Serve the previous version again; returns its id. NoPreviousVersionError when there is none, and
    IndexBusyError (409) while a refresh is building: both hold the index's build lock."""
    # A private instance, so the build lock is really taken (see RefreshRunner.__init__).
    own = IndexVersions(versions.root, keep=versions.keep)
    with sessions.begin() as session:
        before = own.current_id()
        target = own.rollback()
        # Recorded once the switch has happened (the entry names the target); a refused rollback records nothing.
        audit.record(session, actor, "index.rollback", target=target, now=now or utc_now(),
                     detail={"previous": before})
    return target
