"""Uploaded sources: kept under <home>/uploads/<id>/, validated on arrival, listed with their status.

Each upload folder holds `files/` (the file, or what its zip archive held) and `upload.json` (name, size,
status, validation report, import result). No database table: the folder is the record. An upload is first
written to `.incoming-<id>/` and renamed into place once validated, so a listing never shows half an upload.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.accounts import audit
from assistant.store.clock import as_utc, utc_now
from assistant.errors import InputError, NotFoundError
from assistant.index.manifest import atomic_write
from assistant.ingest.budget import UNLIMITED, DocumentBudget
from assistant.ingest.problems import coded
from assistant.ingest.runner import KINDS
from assistant.operations.import_progress import ProgressFile
from assistant.operations.report import Problem, ValidationReport
from assistant.operations.safefiles import UploadError, UploadLimits, extract_zip, safe_name, size_text
from assistant.operations.validation import Namer, validate

MANIFEST = "upload.json"
FILES = "files"
INCOMING = ".incoming-"
LOCK = ".lock"
STATUSES = ("validated", "rejected", "imported", "undone")
_ID = re.compile(r"\d{8}T\d{9}Z-[0-9a-f]{6}")  # also keeps an id from naming any other folder
log = logging.getLogger("skillpath.operations")


@dataclass
class Upload:
    """One uploaded file and what became of it."""

    id: str
    filename: str  # as the client sent it (shown, never used as a path)
    stored_as: str  # the sanitised name it was saved under
    size: int
    sha256: str
    content: str  # what is parsed, relative to the upload folder: the file, or the folder its archive held
    status: str  # validated | rejected | imported | undone
    uploaded_at: str  # ISO-8601 UTC
    uploaded_by: str | None
    report: ValidationReport
    declared_kind: str | None = None
    source_name: str | None = None  # overrides the name the parser would give (offers, documents)
    version: str | None = None  # overrides the release label the parser would give
    imported_at: str | None = None
    imported_by: str | None = None
    imported: dict[str, Any] | None = None  # what the last import changed, per source
    undone_at: str | None = None
    undone_by: str | None = None
    undone: dict[str, Any] | None = None  # what undoing the import changed (UndoResult.to_dict())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["report"] = self.report.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Upload:
        names = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in names}
        values["report"] = ValidationReport.from_dict(data["report"])
        return cls(**values)


def imports_since(uploads: Uploads, moment: str) -> list[Upload]:
    """Uploads imported (and not undone) after an ISO-8601 moment, newest first: what an index built then lacks."""
    since = as_utc(datetime.fromisoformat(moment))
    return [u for u in uploads.list() if u.status == "imported" and u.imported_at
            and as_utc(datetime.fromisoformat(u.imported_at)) > since]


def new_upload_id(now: datetime) -> str:
    """UTC time to the millisecond plus 6 random hex digits: ids sort in upload order and do not collide."""
    now = as_utc(now)
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def _is_archive(stored_as: str) -> bool:
    return stored_as.lower().endswith(".zip")


def _names_base(files: Path, stored_as: str) -> Path:
    """Where an archive is extracted (named after it: ESCO takes its version from the folder name, esco-v1.1.1);
    problems inside it are named relative to it, as the operator sees the archive's contents."""
    return files / safe_name(stored_as[:-4]) if _is_archive(stored_as) else files


def namer(base: Path, fallback: str) -> Namer:
    """Problems name files as the operator knows them (`offers.csv`, `2027/huzhou.csv`), never by server path."""
    base = base.resolve()

    def name(exc: InputError) -> Problem:
        try:
            rel = Path(exc.file).resolve().relative_to(base).as_posix()
        except ValueError:
            rel = exc.file
        code, params = coded(exc)
        return Problem(fallback if rel in ("", ".") else rel, exc.reason, exc.line, exc.field, code, params)

    return name


class Uploads:
    """The uploads folder of a data home; validation reads the store (through `sessions`) but never changes it."""

    def __init__(
        self, root: Path, sessions: sessionmaker[Session], *, limits: UploadLimits = UploadLimits(),
        clock: Callable[[], datetime] = utc_now, budget: DocumentBudget = UNLIMITED,
    ) -> None:
        self.root, self.sessions, self.limits, self.clock = Path(root).resolve(), sessions, limits, clock
        self.budget = budget  # how large a document, and how long reading them, validation accepts

    def receive(
        self, data: bytes, filename: str, *, kind: str | None = None, name: str | None = None,
        version: str | None = None, actor: str | None = None,
    ) -> Upload:
        """Keep and validate one uploaded file (a .zip is extracted); refused outright only when unsafe."""
        stored_as = safe_name(filename)
        if kind is not None and kind not in KINDS:
            raise UploadError(stored_as, f"unknown kind '{kind}' (expected one of: {', '.join(KINDS)})")
        if len(data) > self.limits.max_bytes:
            limit, size = size_text(self.limits.max_bytes), size_text(len(data))
            if size == limit:  # "64.0 MiB; the limit is 64.0 MiB" says nothing: then the bytes themselves
                limit, size = f"{limit} ({self.limits.max_bytes:,} bytes)", f"{len(data):,} bytes"
            raise UploadError(stored_as, f"file is {size}; the limit is {limit}")
        if not data:
            raise UploadError(stored_as, "empty file")
        now = self.clock()
        upload_id = new_upload_id(now)
        incoming = self.root / f"{INCOMING}{upload_id}"
        files = incoming / FILES
        try:
            files.mkdir(parents=True)
            if _is_archive(stored_as):
                archive = incoming / "archive.zip"
                archive.write_bytes(data)
                root = extract_zip(archive, _names_base(files, stored_as), self.limits, stored_as)
                archive.unlink()  # what it held is kept; the archive itself is not needed again
            else:
                root = files / stored_as
                root.write_bytes(data)
            report = validate(self.sessions, root, namer(_names_base(files, stored_as), stored_as), stored_as,
                              declared_kind=kind, source_name=name, version=version, budget=self.budget)
            upload = Upload(
                id=upload_id, filename=filename, stored_as=stored_as, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), content=root.relative_to(incoming).as_posix(),
                status="validated" if report.ok else "rejected", uploaded_at=now.isoformat(timespec="seconds"),
                uploaded_by=actor, report=report, declared_kind=kind, source_name=name, version=version,
            )
            atomic_write(incoming / MANIFEST, json.dumps(upload.to_dict(), ensure_ascii=False, indent=1))
            os.rename(incoming, self.root / upload_id)
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise
        with self.sessions.begin() as session:
            audit.record(session, actor, "upload.validate", target=upload_id, now=now, detail={
                "filename": stored_as, "status": upload.status, "kind": report.kind,
                "problems": len(report.problems), "changes": report.changes,
            })
        return upload

    def list(self) -> list[Upload]:
        """Every upload, newest first; a folder whose manifest cannot be read is logged and left out."""
        try:
            ids = sorted((p.name for p in self.root.iterdir() if _ID.fullmatch(p.name)), reverse=True)
        except FileNotFoundError:
            return []
        out = []
        for upload_id in ids:
            try:
                out.append(self.get(upload_id))
            except (NotFoundError, ValueError, KeyError, TypeError) as exc:
                log.warning("upload %s: unreadable %s (%s)", upload_id, MANIFEST, exc)
        return out

    def get(self, upload_id: str) -> Upload:
        if not _ID.fullmatch(upload_id or ""):
            raise NotFoundError(f"no upload '{upload_id}'")
        try:
            text = (self.root / upload_id / MANIFEST).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"no upload '{upload_id}'") from None
        return Upload.from_dict(json.loads(text))

    def save(self, upload: Upload) -> None:
        """Write an upload's manifest back (after an import); atomic, so a reader sees the old or the new."""
        if upload.status not in STATUSES:
            raise ValueError(f"unknown upload status '{upload.status}'")
        self.get(upload.id)  # it must exist
        atomic_write(self.root / upload.id / MANIFEST, json.dumps(upload.to_dict(), ensure_ascii=False, indent=1))

    def content_path(self, upload: Upload) -> Path:
        """The file or folder to parse; a manifest edited to point elsewhere is refused."""
        folder = (self.root / upload.id).resolve()
        path = (folder / upload.content).resolve()
        if not path.is_relative_to(folder / FILES) or not path.exists():
            raise NotFoundError(f"upload {upload.id}: its files are missing ({upload.content})")
        return path

    def progress(self, upload_id: str) -> ProgressFile:
        """Where the import of this upload says how far it has got (NotFoundError for an unknown upload)."""
        self.get(upload_id)
        return ProgressFile(self.root / upload_id)

    def namer(self, upload: Upload) -> Namer:
        return namer(_names_base(self.root / upload.id / FILES, upload.stored_as), upload.stored_as)

    @contextmanager
    def locked(self, upload_id: str) -> Iterator[None]:
        """One import of an upload at a time (a double-clicked button): the second waits, then finds it imported."""
        self.get(upload_id)
        fd = os.open(self.root / upload_id / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
