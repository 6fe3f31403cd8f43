"""Import a validated upload into the store, all or nothing, with an audit entry in the same transaction.

The CLI writes each source of a path in its own transaction; an upload is written in ONE transaction for all
its sources (an ESCO export is two: ESCO and ISCO-08), so that a failure at any point leaves the store exactly
as it was, and the audit entry commits with the change it records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.accounts import audit
from assistant.errors import InputError
from assistant.ingest.sync import OwnershipError, SyncReport, sync_source
from assistant.operations.import_progress import ImportProgress, ProgressFile
from assistant.operations.report import Problem, ValidationReport
from assistant.operations.uploads import Upload, Uploads
from assistant.operations.validation import parse_upload
from assistant.store.models import Source

log = logging.getLogger("skillpath.operations")


class UploadRejectedError(InputError):
    """Importing an upload with problems: the message names the first, `report` holds them all (HTTP 400)."""

    def __init__(self, upload: Upload, report: ValidationReport) -> None:
        self.upload, self.report = upload, report
        first = report.problems[0] if report.problems else Problem(upload.stored_as, "no problems recorded")
        more = len(report.problems) - 1
        super().__init__(
            f"upload {upload.id}",
            f"cannot be imported: {first}" + (f" (and {more} more problem(s))" if more > 0 else ""),
        )


@dataclass(frozen=True)
class ImportResult:
    """What one import changed, per source, in the shape of the validation preview."""

    upload_id: str
    # name, version, unchanged, replaced, tables {table: {added, changed, removed}}, and for undo: checksum (after),
    # before ({version, checksum} or None: the source was new) and previous_upload (the upload that wrote `before`)
    sources: list[dict[str, object]]
    changes: int  # rows added, changed or removed in all
    imported_at: str

    def to_dict(self) -> dict[str, object]:
        return {"upload_id": self.upload_id, "sources": self.sources, "changes": self.changes,
                "imported_at": self.imported_at}


def _source_state(session: Session, name: str) -> dict[str, str] | None:
    """A source's version and checksum as the store holds them now; None when it holds no such source."""
    row = session.execute(select(Source.version, Source.checksum).where(Source.name == name)).first()
    return {"version": row[0], "checksum": row[1]} if row is not None else None


def _previous_upload(uploads: Uploads, upload: Upload, name: str, before: dict[str, str] | None) -> str | None:
    """The imported upload that put `name` in the state it had before this import (undo restores it from there)."""
    if before is None:
        return None
    for other in uploads.list():  # newest first
        if other.id == upload.id or other.status != "imported" or not other.imported:
            continue
        for s in other.imported.get("sources", []):
            if s.get("name") == name and s.get("checksum", before["checksum"]) == before["checksum"] \
                    and s.get("version") == before["version"]:
                return other.id
    return None


def _source_result(r: SyncReport, before: dict[str, str] | None, after: dict[str, str] | None,
                   previous_upload: str | None) -> dict[str, object]:
    """What undo needs besides the counts: the source's state before (None: it was new) and after this import."""
    return {
        "name": r.source, "version": r.version, "unchanged": r.unchanged, "replaced": list(r.removed_sources),
        "tables": {t: {"added": c.inserted, "changed": c.updated, "removed": c.deleted}
                   for t, c in r.tables.items() if c.total},
        "checksum": (after or {}).get("checksum"), "before": before, "previous_upload": previous_upload,
    }


def import_upload(uploads: Uploads, upload_id: str, *, actor: str | None, now: datetime | None = None) -> ImportResult:
    """Parse the kept files again, then write every source and the audit entry in one transaction.

    Refuses (UploadRejectedError) an upload whose validation found problems, and one whose files now show
    problems or whose concepts another source took meanwhile; the store is untouched in every such case.
    """
    progress = uploads.progress(upload_id)
    progress.write(ImportProgress("waiting"))
    try:
        result = _import(uploads, upload_id, actor, now, progress)
    except BaseException as exc:
        progress.write(ImportProgress("failed", error=str(exc)[:500] or type(exc).__name__))
        raise
    progress.write(ImportProgress("done", 1, 1))
    return result


def _import(uploads: Uploads, upload_id: str, actor: str | None, now: datetime | None,
            progress: ProgressFile) -> ImportResult:
    with uploads.locked(upload_id):
        upload = uploads.get(upload_id)
        if upload.status == "rejected":
            raise UploadRejectedError(upload, upload.report)
        kind = upload.report.kind or upload.declared_kind
        progress.write(ImportProgress("reading", 0, 1))
        bundles, problems = parse_upload(uploads.content_path(upload), kind or "", uploads.namer(upload),
                                         source_name=upload.source_name, version=upload.version,
                                         budget=uploads.budget)
        if problems:  # the files changed on disk since validation
            upload.report = ValidationReport(kind=kind, declared_kind=upload.declared_kind, problems=problems)
            upload.status = "rejected"
            uploads.save(upload)
            raise UploadRejectedError(upload, upload.report)
        now = now or uploads.clock()
        try:
            with uploads.sessions.begin() as session:
                befores = [_source_state(session, b.name) for b in bundles]
                reports = []
                for number, bundle in enumerate(bundles):
                    progress.write(ImportProgress("writing", number, len(bundles)))
                    reports.append(sync_source(session, bundle, now=now))
                progress.write(ImportProgress("recording", 0, 1))
                sources = [_source_result(r, before, _source_state(session, r.source),
                                          _previous_upload(uploads, upload, r.source, before))
                           for r, before in zip(reports, befores)]
                changes = sum(r.changed_rows for r in reports)
                audit.record(session, actor, "upload.import", target=upload.id, now=now, detail={
                    "filename": upload.stored_as, "kind": kind, "changes": changes,
                    "sources": [f"{r.source} {r.version}" for r in reports],
                })
        except Exception as exc:
            _record_failure(uploads, upload, actor, exc, now)
            if isinstance(exc, OwnershipError):  # another source took one of its concepts since validation
                raise UploadRejectedError(upload, ValidationReport(
                    kind=kind, declared_kind=upload.declared_kind, problems=[Problem(upload.stored_as, str(exc))]
                )) from exc
            raise
        result = ImportResult(upload.id, sources, changes, now.isoformat(timespec="seconds"))
        upload.status, upload.imported_at, upload.imported_by = "imported", result.imported_at, actor
        upload.imported = result.to_dict()
        uploads.save(upload)
        return result


def _record_failure(uploads: Uploads, upload: Upload, actor: str | None, exc: Exception, now: datetime) -> None:
    """A failed import leaves no change, but the attempt is still on the record; best effort (the store may be down)."""
    try:
        with uploads.sessions.begin() as session:
            audit.record(session, actor, "upload.import.failed", target=upload.id, now=now,
                         detail={"filename": upload.stored_as, "error": f"{type(exc).__name__}: {exc}"[:500]})
    except Exception:  # noqa: BLE001 - the original error is the one to raise
        log.exception("upload %s: could not record the failed import in the audit log", upload.id)
