"""Undo an import: take out of the store everything one upload added or changed, and nothing of any other source.

An import brings each of its sources to a new version. Undoing it puts each one back where it was: a source the
import created is removed whole; a source it changed is synced back to the version before, read again from the
upload that brought that version (uploads keep their files). The plan (what goes, counts and a sample) is shown
before anything happens; the undo itself is one transaction with its audit entry, like the import.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.accounts import audit
from assistant.errors import InputError, NotFoundError
from assistant.ingest.diff import readonly_diff
from assistant.ingest.records import SourceBundle
from assistant.ingest.sync import delete_source, sync_source
from assistant.operations.uploads import Upload, Uploads
from assistant.operations.validation import parse_upload, rows_of
from assistant.store.models import Document, Occupation, Offer, Source

SAMPLE = 5  # records named on the confirm page


@dataclass(frozen=True)
class Blocker:
    """Why an import cannot be undone; `code` is looked up as op_undo_blocker_<code> in the console's language."""

    code: str
    message: str  # English, for the audit log and the JSON
    params: dict[str, str] = field(default_factory=dict)


class UndoRefusedError(InputError):
    """Undoing an import that cannot be undone (HTTP 409 through the console's page): the first blocker named."""

    def __init__(self, upload_id: str, blockers: list[Blocker]) -> None:
        self.blockers = blockers
        super().__init__(f"upload {upload_id}", f"cannot be undone: {blockers[0].message}")


@dataclass(frozen=True)
class SourceUndo:
    """One source of the import and what undoing does to it."""

    name: str
    version: str  # the version the import wrote
    action: str  # remove (the import created it) | restore (back to previous_version)
    previous_version: str | None
    previous_upload: str | None
    goes: dict[str, int]  # rows taken out, by table
    comes_back: dict[str, int]  # rows put back or changed back, by table (restore only)
    sample: list[str]  # titles of some of the records taken out


@dataclass(frozen=True)
class UndoPlan:
    upload_id: str
    sources: list[SourceUndo]
    blockers: list[Blocker]

    @property
    def ok(self) -> bool:
        return not self.blockers and bool(self.sources)

    @property
    def goes(self) -> int:
        return sum(n for s in self.sources for n in s.goes.values())

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "goes": self.goes}


@dataclass(frozen=True)
class UndoResult:
    upload_id: str
    sources: list[dict[str, Any]]  # name, action, version, previous_version, goes
    removed: int  # rows taken out in all
    undone_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sample(session: Session, source_id: int, keep: set[str] | None = None) -> list[str]:
    """Titles of some records of the source; with `keep`, only offers whose id is not in it (those that go)."""
    titles: list[str] = []
    query = select(Offer.external_id, Offer.title).where(Offer.source_id == source_id).order_by(Offer.id)
    for external_id, title in session.execute(query.limit(SAMPLE * 20 if keep else SAMPLE)):
        if keep is None or external_id not in keep:
            titles.append(title)
    if keep is None:
        titles += session.scalars(select(Document.title).where(Document.source_id == source_id).limit(SAMPLE))
        titles += session.scalars(select(Occupation.title).where(Occupation.source_id == source_id).limit(SAMPLE))
    return titles[:SAMPLE]


def _previous_bundle(uploads: Uploads, upload_id: str, name: str) -> SourceBundle:
    """The source as the earlier upload brought it, parsed again from that upload's kept files."""
    previous = uploads.get(upload_id)
    kind = previous.report.kind or previous.declared_kind or ""
    bundles, problems = parse_upload(uploads.content_path(previous), kind, uploads.namer(previous),
                                     source_name=previous.source_name, version=previous.version)
    found = [b for b in bundles if b.name == name]
    if problems or not found:
        raise NotFoundError(f"upload {upload_id} no longer reads as source {name}")
    return found[0]


def _blockers(session: Session, uploads: Uploads, upload: Upload) -> list[Blocker]:
    if upload.status != "imported" or not upload.imported:
        return [Blocker("not_imported", "this upload is not imported (or was undone already)")]
    out: list[Blocker] = []
    for s in upload.imported.get("sources", []):
        name = s["name"]
        if "before" not in s:
            out.append(Blocker("no_record", f"{name} was imported before undo was recorded", {"name": name}))
            continue
        if s.get("replaced"):
            names = ", ".join(s["replaced"])
            out.append(Blocker("replaced", f"the import replaced other sources ({names})", {"names": names}))
        now = session.execute(select(Source.version, Source.checksum).where(Source.name == name)).first()
        if now is None or (now[0], now[1]) != (s["version"], s.get("checksum")):
            current = now[0] if now is not None else "—"
            out.append(Blocker("changed_since", f"{name} changed after this import (now version {current}); "
                                                "undo the later import first", {"name": name, "current": current}))
        before = s.get("before")
        if before is not None and s.get("previous_upload") is None:
            out.append(Blocker("outside_console", f"the earlier version of {name} did not come from the console; "
                                                  "import it again with `skillpath ingest`", {"name": name}))
        elif before is not None:
            try:
                uploads.content_path(uploads.get(s["previous_upload"]))
            except NotFoundError:
                out.append(Blocker("previous_gone", f"the upload with the earlier version of {name} is gone",
                                   {"name": name, "upload": s["previous_upload"]}))
    return out


def plan_undo(uploads: Uploads, upload_id: str) -> UndoPlan:
    """What undoing the import would take out and put back, and whatever stands in its way; changes nothing."""
    upload = uploads.get(upload_id)  # NotFoundError: 404
    with uploads.sessions() as session:
        blockers = _blockers(session, uploads, upload)
        sources: list[SourceUndo] = []
        for s in (upload.imported or {}).get("sources", []) if not blockers else []:
            sid = session.scalar(select(Source.id).where(Source.name == s["name"]))
            before = s.get("before")
            if before is None:
                sources.append(SourceUndo(s["name"], s["version"], "remove", None, None,
                                          rows_of(session, s["name"]), {}, _sample(session, sid)))
                continue
            previous = _previous_bundle(uploads, s["previous_upload"], s["name"])
            diff = readonly_diff(session, previous)
            goes = {t: c.deleted for t, c in diff.tables.items() if c.deleted} if diff else {}
            back = {t: c.inserted + c.updated for t, c in diff.tables.items() if c.inserted + c.updated} if diff else {}
            sources.append(SourceUndo(s["name"], s["version"], "restore", before["version"], s["previous_upload"],
                                      goes, back, _sample(session, sid, {o.external_id for o in previous.offers})))
    return UndoPlan(upload.id, sources, blockers)


def undo_import(uploads: Uploads, upload_id: str, *, actor: str | None, now: datetime | None = None) -> UndoResult:
    """Put every source of the import back as it was, in one transaction with its audit entry.

    UndoRefusedError when anything stands in the way (checked again under the upload's lock); nothing changes then.
    """
    with uploads.locked(upload_id):
        upload = uploads.get(upload_id)
        now = now or uploads.clock()
        with uploads.sessions.begin() as session:
            blockers = _blockers(session, uploads, upload)
            if blockers:
                raise UndoRefusedError(upload.id, blockers)
            done: list[dict[str, Any]] = []
            for s in upload.imported["sources"]:  # type: ignore[index]  # _blockers made sure it is there
                name, before = s["name"], s.get("before")
                source = session.scalar(select(Source).where(Source.name == name))
                if source is None:  # unreachable: changed_since would have said so
                    continue
                if before is None:
                    goes = sum(rows_of(session, name).values())
                    delete_source(session, source)
                else:
                    report = sync_source(session, _previous_bundle(uploads, s["previous_upload"], name), now=now)
                    goes = report.changed_rows
                done.append({"name": name, "action": "remove" if before is None else "restore",
                             "version": s["version"], "previous_version": (before or {}).get("version"), "goes": goes})
            removed = sum(d["goes"] for d in done)
            audit.record(session, actor, "upload.undo", target=upload.id, now=now, detail={
                "filename": upload.stored_as, "rows": removed,
                "sources": [f"{d['name']} {d['version']} -> {d['previous_version'] or '(removed)'}" for d in done],
            })
        result = UndoResult(upload.id, done, removed, now.isoformat(timespec="seconds"))
        upload.status, upload.undone_at, upload.undone_by = "undone", result.undone_at, actor
        upload.undone = result.to_dict()
        uploads.save(upload)
        return result
