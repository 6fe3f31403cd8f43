"""What matching needs from the store, read once per store version: occupations, tasks, skill relations, offers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.index.documents import store_hash
from assistant.store.models import Document, Occupation, OccupationSkill, Offer, Skill, Source
from assistant.store.outages import OUTAGES

log = logging.getLogger("skillpath.guidance")


@dataclass(frozen=True)
class OccupationInfo:
    """One occupation with what it asks of people: CSCO tasks, ESCO essential and optional skills."""

    scheme: str
    code: str | None
    uri: str | None
    title: str
    language: str
    description: str
    tasks: tuple[str, ...]
    tags: tuple[str, ...]
    isco_code: str | None
    essential: tuple[str, ...]  # skill URIs
    optional: tuple[str, ...]
    source: dict[str, str | None]
    # Other names people use (CSCO's 招生顾问 for an admissions role); ESCO's arrive as one run-on string, not kept.
    alt_titles: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.scheme}:{self.code or self.uri}"


@dataclass(frozen=True)
class Task:
    """One CSCO task line, the Chinese bridge for skills said in Chinese."""

    occupation: str  # OccupationInfo.key
    ordinal: int  # 1-based, as printed in the classification
    text: str

    @property
    def id(self) -> str:
        return f"{self.occupation}#task{self.ordinal}"


@dataclass
class Catalog:
    """Store content for matching, keyed for lookups; rebuilt when the store's content hash changes."""

    hash: str
    occupations: dict[str, OccupationInfo]
    skills: dict[str, tuple[str, tuple[str, ...], dict[str, str | None]]]  # uri → (label, tags, source)
    tasks: dict[str, list[Task]]  # occupation key → its task lines
    offers: list[dict[str, Any]]
    by_code: dict[tuple[str, str], str] = field(default_factory=dict)  # (scheme, code or uri) → key
    passages: dict[str, str] = field(default_factory=dict)  # policy index doc id → full passage text

    def occupation(self, scheme: str | None, code: str | None, uri: str | None = None) -> OccupationInfo | None:
        key = self.by_code.get((scheme or "", code or uri or ""))
        return self.occupations.get(key) if key else None


def load_catalog(session: Session) -> Catalog:
    """Read everything matching needs in a handful of queries (about a second for the default store)."""
    sources = {s.id: {"name": s.name, "version": s.version, "url": s.url} for s in session.scalars(select(Source))}
    skills = {s.uri: (s.label, tuple(s.tags), sources[s.source_id]) for s in session.scalars(select(Skill))}
    essential: dict[int, list[str]] = {}
    optional: dict[int, list[str]] = {}
    rows = session.execute(select(OccupationSkill.occupation_id, OccupationSkill.relation, Skill.uri)
                           .join(Skill, Skill.id == OccupationSkill.skill_id))
    for occ_id, relation, uri in rows:
        (essential if relation == "essential" else optional).setdefault(occ_id, []).append(uri)
    occupations: dict[str, OccupationInfo] = {}
    by_code: dict[tuple[str, str], str] = {}
    tasks: dict[str, list[Task]] = {}
    for o in session.scalars(select(Occupation).where(Occupation.kind == "occupation").order_by(Occupation.id)):
        info = OccupationInfo(o.scheme, o.code, o.uri, o.title, o.language, o.description, tuple(o.tasks),
                              tuple(o.tags), o.isco_code, tuple(essential.get(o.id, ())), tuple(optional.get(o.id, ())),
                              sources[o.source_id],
                              tuple(a for a in o.alt_titles or () if a.strip()) if o.scheme != "esco" else ())
        occupations[info.key] = info
        for ref in {o.code, o.uri} - {None}:
            by_code[(o.scheme, ref)] = info.key
        if o.tasks:
            tasks[info.key] = [Task(info.key, n, t) for n, t in enumerate(o.tasks, start=1) if t.strip()]
    offers = [_offer(f, sources[f.source_id]) for f in session.scalars(select(Offer).order_by(Offer.id))]
    passages = {}
    for d in session.scalars(select(Document).options(selectinload(Document.passages))):
        for psg in d.passages:  # ids as the index names them (documents.py), so search hits find their text
            passages[f"policy:{sources[d.source_id]['name']}:{d.key}#{psg.ordinal}"] = psg.text
    return Catalog(store_hash(session), occupations, skills, tasks, offers, by_code, passages)


def _offer(f: Offer, source: dict[str, str | None]) -> dict[str, Any]:
    cols = ("external_id", "kind", "title", "provider", "language", "description", "city", "region", "country", "mode",
            "duration_months", "duration_text", "cost", "currency", "paid", "wage", "subsidy", "qualification",
            "level", "start_dates", "target_occupations", "target_skills", "eligibility", "contact", "url", "tags",
            "extra", "sample", "citation")
    out = {c: getattr(f, c) for c in cols}
    out["source"] = {**source, "url": f.url or source["url"]}
    out["id"] = f"{f.kind}:{source['name']}:{f.external_id}"
    return out


class CatalogHolder:
    """The catalog for the store's current content, reloaded when an import changes it (checked at most every few s)."""

    def __init__(self, sessions: sessionmaker[Session], *, check_every: float = 5.0,
                 clock: Callable[[], float] | None = None) -> None:
        import time

        self._sessions = sessions
        self._clock = clock or time.monotonic
        self._every = check_every
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._checked = -np.inf

    def get(self) -> Catalog:
        now = self._clock()
        current = self._catalog
        if current is not None and now - self._checked < self._every:
            return current
        # One thread looks at the store; the others go on with the catalog they have instead of queueing (each
        # wanting a pooled connection) behind it. Only the very first read makes everybody wait.
        if not self._lock.acquire(blocking=current is None):
            return current  # type: ignore[return-value]
        try:
            if self._catalog is not None and now - self._checked < self._every:
                return self._catalog
            try:
                with self._sessions() as session:
                    content = store_hash(session)
                    if self._catalog is None or self._catalog.hash != content:
                        self._catalog = load_catalog(session)
            except OUTAGES as exc:
                if self._catalog is None:
                    raise
                # The store is away: match against what was read last (as the index holder serves its index)
                # instead of failing requests that need nothing new; look again after the interval.
                log.warning("store unavailable, matching against the catalog read last: %s", type(exc).__name__)
            self._checked = now
            return self._catalog
        finally:
            self._lock.release()
