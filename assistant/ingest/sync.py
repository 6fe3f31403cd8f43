"""Write one parsed source into the store: upsert changed rows, delete vanished ones, never commit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from assistant import __version__
from assistant.errors import SkillPathError
from assistant.ingest.records import (
    DocumentRecord,
    OccupationRecord,
    OfferRecord,
    SkillRecord,
    SourceBundle,
)
from assistant.store.models import (
    Document,
    Occupation,
    OccupationSkill,
    Offer,
    Passage,
    Skill,
    Source,
)

CHUNK = 5000  # rows per bulk statement: under SQLite's variable limit, few round trips on PostgreSQL


class OwnershipError(SkillPathError):
    """A concept is already provided by another source."""


@dataclass
class TableChanges:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass
class SyncReport:
    """What one sync did; `unchanged` means the same release was already in the store."""

    source: str
    version: str
    unchanged: bool = False
    tables: dict[str, TableChanges] = field(default_factory=dict)
    removed_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed_rows(self) -> int:
        return sum(t.total for t in self.tables.values())


def content_hash(record: Any, exclude: Iterable[str] = ()) -> str:
    """Stable hash of a record's fields, so unchanged rows are never rewritten."""
    data = {k: v for k, v in asdict(record).items() if k not in set(exclude)}
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def delete_source(session: Session, source: Source) -> None:
    """Remove a source and everything it contributed, children first (portable, no FK cascade needed)."""
    sid = source.id
    doc_ids = select(Document.id).where(Document.source_id == sid)
    session.execute(delete(Passage).where(Passage.document_id.in_(doc_ids)))
    session.execute(delete(Document).where(Document.source_id == sid))
    session.execute(delete(Offer).where(Offer.source_id == sid))
    occ_ids = select(Occupation.id).where(Occupation.source_id == sid)
    skill_ids = select(Skill.id).where(Skill.source_id == sid)
    session.execute(
        delete(OccupationSkill).where(
            (OccupationSkill.source_id == sid)
            | OccupationSkill.occupation_id.in_(occ_ids)
            | OccupationSkill.skill_id.in_(skill_ids)
        )
    )
    session.execute(delete(Occupation).where(Occupation.source_id == sid))
    session.execute(delete(Skill).where(Skill.source_id == sid))
    session.execute(delete(Source).where(Source.id == sid))


def _sync_keyed(
    session: Session,
    model: type,
    source_id: int,
    key_cols: tuple[str, ...],
    records: Sequence[Any],
    key_of: Callable[[Any], tuple[Any, ...]],
    to_row: Callable[[Any], dict[str, Any]],
    owner_label: str,
) -> tuple[TableChanges, list[int]]:
    """Diff by natural key and apply inserts and updates; returns the ids of vanished rows to delete."""
    changes = TableChanges()
    cols = [getattr(model, c) for c in key_cols]
    query = select(*cols, model.id, model.content_hash, model.source_id)
    if not owner_label:  # keys are per source (offers): other sources' rows are irrelevant
        query = query.where(model.source_id == source_id)
    existing = {tuple(r[:-3]): (r[-3], r[-2], r[-1]) for r in session.execute(query)}
    rows_new: list[dict[str, Any]] = []
    rows_upd: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for rec in records:
        key = key_of(rec)
        if key in seen:
            continue  # parsers report duplicates; keep the first if one slips through
        seen.add(key)
        row = to_row(rec)
        row["source_id"] = source_id
        hit = existing.get(key)
        if hit is None:
            rows_new.append(row)
        elif hit[2] != source_id:
            raise OwnershipError(
                f"{owner_label} {':'.join(map(str, key))} is already provided by another source "
                f"(source id {hit[2]}); remove that source first"
            )
        elif hit[1] != row["content_hash"]:
            rows_upd.append({"id": hit[0], **row})
    gone = [v[0] for k, v in existing.items() if v[2] == source_id and k not in seen]
    for part in _chunks(rows_new):
        session.execute(insert(model), list(part))
    for part in _chunks(rows_upd):
        session.execute(update(model), list(part))
    changes.inserted, changes.updated, changes.deleted = len(rows_new), len(rows_upd), len(gone)
    return changes, gone


def _delete_rows(session: Session, model: type, ids: list[int]) -> None:
    """Delete vanished concepts, and any links other sources still hold to them."""
    link = {Occupation: OccupationSkill.occupation_id, Skill: OccupationSkill.skill_id}.get(model)
    for part in _chunks(ids):
        if link is not None:
            session.execute(delete(OccupationSkill).where(link.in_(part)))
        session.execute(delete(model).where(model.id.in_(part)))


def _occupation_row(rec: OccupationRecord) -> dict[str, Any]:
    row = asdict(rec)
    for k in ("alt_titles", "tasks", "tags"):
        row[k] = list(row[k])
    row["content_hash"] = content_hash(rec)
    return row


def _skill_row(rec: SkillRecord) -> dict[str, Any]:
    row = asdict(rec)
    for k in ("alt_labels", "tags"):
        row[k] = list(row[k])
    row["content_hash"] = content_hash(rec)
    return row


_OFFER_COLUMNS = {c.key for c in Offer.__table__.columns}


def _offer_row(rec: OfferRecord) -> dict[str, Any]:
    data = asdict(rec)
    data.pop("line", None)
    row = {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items() if k in _OFFER_COLUMNS}
    row["extra"] = dict(rec.extra)
    row["content_hash"] = content_hash(rec, exclude=("line",))
    return row


def _sync_relations(session: Session, source_id: int, bundle: SourceBundle) -> TableChanges:
    changes = TableChanges()
    schemes = {r.scheme for r in bundle.relations}
    occ_ids: dict[str, int] = {}
    skill_ids: dict[str, int] = {}
    for scheme in schemes:
        # Result objects have .keys(), so dict.update would take them for mappings: go through .all().
        occ_ids.update(session.execute(select(Occupation.key, Occupation.id).where(Occupation.scheme == scheme)).all())
        skill_ids.update(session.execute(select(Skill.uri, Skill.id).where(Skill.scheme == scheme)).all())
    existing = {
        (o, s): (i, rel)
        for i, o, s, rel in session.execute(
            select(OccupationSkill.id, OccupationSkill.occupation_id, OccupationSkill.skill_id, OccupationSkill.relation)
            .where(OccupationSkill.source_id == source_id)
        )
    }
    wanted: dict[tuple[int, int], str] = {}
    for rel in bundle.relations:
        o, s = occ_ids.get(rel.occupation_key), skill_ids.get(rel.skill_uri)
        if o is None or s is None:
            continue  # the parser already validated references; concepts outside the store are skipped
        # An occupation-skill pair listed twice keeps the stronger link.
        if wanted.get((o, s)) != "essential":
            wanted[(o, s)] = rel.relation
    new = [
        {"source_id": source_id, "occupation_id": o, "skill_id": s, "relation": r}
        for (o, s), r in wanted.items()
        if (o, s) not in existing
    ]
    upd = [{"id": existing[k][0], "relation": r} for k, r in wanted.items() if k in existing and existing[k][1] != r]
    gone = [v[0] for k, v in existing.items() if k not in wanted]
    for part in _chunks(new):
        session.execute(insert(OccupationSkill), list(part))
    for part in _chunks(upd):
        session.execute(update(OccupationSkill), list(part))
    for part in _chunks(gone):
        session.execute(delete(OccupationSkill).where(OccupationSkill.id.in_(part)))
    changes.inserted, changes.updated, changes.deleted = len(new), len(upd), len(gone)
    return changes


def _sync_documents(session: Session, source_id: int, docs: Sequence[DocumentRecord]) -> TableChanges:
    """Documents are replaced whole when their checksum changes; passages follow their document."""
    changes = TableChanges()
    existing = {d.key: d for d in session.scalars(select(Document).where(Document.source_id == source_id))}
    seen: set[str] = set()
    for rec in docs:
        seen.add(rec.key)
        meta = (rec.title, rec.language, rec.url, rec.citation)
        # The stored checksum covers the file and the passages made from it, so a changed splitter counts.
        checksum = content_hash(rec)
        doc = existing.get(rec.key)
        if doc is not None and doc.checksum == checksum and (doc.title, doc.language, doc.url, doc.citation) == meta:
            continue
        if doc is None:
            doc = Document(source_id=source_id, key=rec.key)
            session.add(doc)
            changes.inserted += 1
        else:
            changes.updated += 1
            doc.passages.clear()
            session.flush()  # old passages must go before new ones reuse their ordinals
        doc.title, doc.language, doc.url, doc.citation = meta
        doc.checksum = checksum
        doc.passages.extend(
            Passage(ordinal=p.ordinal, section_path=list(p.section_path), language=p.language, text=p.text)
            for p in rec.passages
        )
    for key, doc in existing.items():
        if key not in seen:
            session.delete(doc)
            changes.deleted += 1
    session.flush()
    return changes


def sync_source(session: Session, bundle: SourceBundle, *, now: datetime | None = None) -> SyncReport:
    """Bring the store in line with `bundle`; the caller owns the transaction."""
    report = SyncReport(source=bundle.name, version=bundle.version)
    # A new SkillPath may parse the same files differently: then the source is re-synced (row by
    # row, so unchanged rows stay untouched) instead of being skipped as unchanged.
    checksum = hashlib.sha256(f"{bundle.checksum}:{__version__}".encode()).hexdigest()
    source = session.scalar(select(Source).where(Source.name == bundle.name))
    if source is not None and source.checksum == checksum and source.version == bundle.version:
        report.unchanged = True
        return report
    for name in bundle.supersedes:
        old = session.scalar(select(Source).where(Source.name == name))
        if old is not None:
            delete_source(session, old)
            report.removed_sources.append(name)
    if source is None:
        source = Source(name=bundle.name, kind=bundle.kind)
        session.add(source)
    source.kind = bundle.kind
    source.version, source.checksum = bundle.version, checksum
    source.location, source.url = bundle.location, bundle.url
    source.licence, source.attribution = bundle.licence, bundle.attribution
    source.imported_at = now or datetime.now(timezone.utc)
    session.flush()
    sid = source.id
    report.tables["occupations"], gone_occ = _sync_keyed(
        session, Occupation, sid, ("scheme", "key"), bundle.occupations,
        lambda r: (r.scheme, r.key), _occupation_row, "occupation",
    )
    report.tables["skills"], gone_skills = _sync_keyed(
        session, Skill, sid, ("scheme", "uri"), bundle.skills,
        lambda r: (r.scheme, r.uri), _skill_row, "skill",
    )
    # Links first, so that links to vanished concepts are counted as this source's deletions.
    report.tables["relations"] = _sync_relations(session, sid, bundle)
    _delete_rows(session, Occupation, gone_occ)
    _delete_rows(session, Skill, gone_skills)
    report.tables["offers"], gone_offers = _sync_keyed(
        session, Offer, sid, ("source_id", "external_id"), bundle.offers,
        lambda r: (sid, r.external_id), _offer_row, "",
    )
    _delete_rows(session, Offer, gone_offers)
    report.tables["documents"] = _sync_documents(session, sid, bundle.documents)
    session.flush()
    return report
