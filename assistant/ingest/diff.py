"""What syncing an offers or documents bundle would change, found by reading the store only (no trial write).

A trial sync inside a rolled-back transaction takes SQLite's write lock for as long as it runs: every other writer
(an import, a chat turn, the audit log) queues behind it, and it behind them. Offers and documents are keyed per
source, so their diff needs nothing but the source's own keys and content hashes, compared the way sync_source
compares them (tests/ingest/test_diff.py holds the two to the same figures). Taxonomies, whose concepts other
sources may own and which may supersede sources, still get the trial sync (validation.py).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import __version__
from assistant.ingest.records import SourceBundle
from assistant.ingest.sync import SyncReport, TableChanges, _offer_row, content_hash
from assistant.store.models import Document, Offer, Source


def can_diff(bundle: SourceBundle) -> bool:
    """Whether readonly_diff handles this bundle (offers or documents, superseding nothing)."""
    return bundle.kind in ("offers", "documents") and not bundle.supersedes and not (
        bundle.occupations or bundle.skills or bundle.relations)


def _keyed_changes(existing: dict[str, str], wanted: dict[str, str]) -> TableChanges:
    return TableChanges(
        inserted=sum(1 for k in wanted if k not in existing),
        updated=sum(1 for k, h in wanted.items() if k in existing and existing[k] != h),
        deleted=sum(1 for k in existing if k not in wanted),
    )


def readonly_diff(session: Session, bundle: SourceBundle) -> SyncReport | None:
    """The SyncReport sync_source would return for this bundle, read-only; None when only a trial sync can tell
    (a taxonomy, or a source of that name holding another kind of record)."""
    if not can_diff(bundle):
        return None
    report = SyncReport(source=bundle.name, version=bundle.version)
    checksum = hashlib.sha256(f"{bundle.checksum}:{__version__}".encode()).hexdigest()
    source = session.scalar(select(Source).where(Source.name == bundle.name))
    if source is not None and source.kind != bundle.kind:
        return None
    if source is not None and source.checksum == checksum and source.version == bundle.version:
        report.unchanged = True
        return report
    sid = source.id if source is not None else None
    offers: dict[str, str] = {}
    for rec in bundle.offers:
        offers.setdefault(rec.external_id, _offer_row(rec)["content_hash"])  # the first of a repeated id counts
    stored_offers = dict(session.execute(select(Offer.external_id, Offer.content_hash)
                                         .where(Offer.source_id == sid)).all()) if sid is not None else {}
    docs = {rec.key: "\x1f".join(map(str, (content_hash(rec), rec.title, rec.language, rec.url, rec.citation)))
            for rec in bundle.documents}
    stored_docs = {
        key: "\x1f".join(map(str, (checksum_, title, language, url, citation)))
        for key, checksum_, title, language, url, citation in session.execute(
            select(Document.key, Document.checksum, Document.title, Document.language, Document.url,
                   Document.citation).where(Document.source_id == sid)
        )
    } if sid is not None else {}
    for table in ("occupations", "skills", "relations"):
        report.tables[table] = TableChanges()
    report.tables["offers"] = _keyed_changes(stored_offers, offers)
    report.tables["documents"] = _keyed_changes(stored_docs, docs)
    return report
