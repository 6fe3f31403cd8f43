"""What the console's overview shows: the serving index, what the store holds, the refresh, recent uploads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.index.documents import store_hash
from assistant.index.loaded import IndexHolder
from assistant.index.versions import IndexVersions
from assistant.operations.refresh import RefreshRunner, RefreshStatus
from assistant.operations.uploads import Upload, Uploads
from assistant.operations.versions import VersionInfo, list_versions
from assistant.store.stats import store_status

RECENT_UPLOADS = 5


@dataclass(frozen=True)
class StoreCounts:
    """The store's record counts as the console shows them: totals, with the per-scheme split beside them."""

    occupations: dict[str, int] = field(default_factory=dict)  # by scheme
    skills: dict[str, int] = field(default_factory=dict)  # by scheme
    relations: int = 0
    offers: dict[str, int] = field(default_factory=dict)  # by kind
    sample_offers: int = 0
    documents: int = 0
    passages: int = 0
    sources: int = 0

    @classmethod
    def of(cls, status: dict[str, Any]) -> StoreCounts:
        return cls(occupations=dict(status["occupations"]), skills=dict(status["skills"]),
                   relations=status["relations"], offers=dict(status["offers"]),
                   sample_offers=status["sample_offers"], documents=status["documents"],
                   passages=status["passages"], sources=len(status["sources"]))


@dataclass(frozen=True)
class Overview:
    """One snapshot for the console's home page."""

    index: dict[str, object]  # IndexHolder.status(): state, version, built_at, embedder, counts, problems
    store: StoreCounts
    refresh: RefreshStatus
    versions: int  # complete index versions on disk
    recent_uploads: list[Upload]


def current_store_hash(sessions: sessionmaker[Session]) -> str:
    """The hash an index records at build time; a version whose hash differs was built from other content."""
    with sessions() as session:
        return store_hash(session)


def versions_checked(sessions: sessionmaker[Session], versions: IndexVersions) -> list[VersionInfo]:
    """Every complete index version, newest first, each flagged stale or not against the store as it is now."""
    return list_versions(versions, store_hash=current_store_hash(sessions))


def overview(
    sessions: sessionmaker[Session], holder: IndexHolder, runner: RefreshRunner, uploads: Uploads
) -> Overview:
    with sessions() as session:
        counts = StoreCounts.of(store_status(session))
    return Overview(index=holder.status(), store=counts, refresh=runner.status(),
                    versions=len(holder.versions.versions()), recent_uploads=uploads.list()[:RECENT_UPLOADS])
