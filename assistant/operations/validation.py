"""Validate uploaded sources without changing the store: parse with the ingest parsers, list every problem, preview.

The change preview runs ingest's own `sync_source` inside a transaction that is always rolled back, rather than
a second, read-only comparison: the added/changed/removed figures then come from the very code the import runs
(natural keys, content hashes, ownership checks, superseded sources), and cannot drift from it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import InputError, SkillPathError, UnknownSourceError
from assistant.ingest.documents import SUPPORTED as DOCUMENT_SUFFIXES
from assistant.ingest.offers import FORMATS as OFFER_SUFFIXES
from assistant.ingest.offers import offer_errors
from assistant.ingest.records import SourceBundle
from assistant.ingest.runner import KINDS, detect_kind, plan_path
from assistant.ingest.sync import sync_source
from assistant.operations.report import Problem, SourcePreview, TableDiff, ValidationReport
from assistant.store.models import Document, Occupation, OccupationSkill, Offer, Skill, Source

log = logging.getLogger("skillpath.operations")
Namer = Callable[[InputError], Problem]  # turns a parser error into a problem named relative to the upload


def detect_upload_kind(root: Path, declared: str | None) -> str:
    """The declared kind, else ingest's detection; a folder holding only offer files is offers, not documents."""
    if declared:
        return declared
    kind = detect_kind(root)
    if kind == "documents" and root.is_dir():
        files = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]
        suffixes = {p.suffix.lower() for p in files}
        if files and suffixes <= set(OFFER_SUFFIXES) and not suffixes & set(DOCUMENT_SUFFIXES):
            return "offers"
    return kind


def _offer_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    # is_file: an archive may hold a folder named like a file (x.csv/), which is nothing to read
    return sorted(p for p in root.iterdir() if p.suffix.lower() in OFFER_SUFFIXES and p.is_file())


def _offer_row_problems(root: Path, name: Namer) -> list[Problem]:
    """Every invalid offer record of every file, not only the first (a syntax error still ends its file)."""
    return [name(exc) for path in _offer_files(root) for exc in offer_errors(path)]


def parse_upload(
    root: Path, kind: str, name: Namer, *, source_name: str | None = None, version: str | None = None
) -> tuple[list[SourceBundle], list[Problem]]:
    """Parse with ingest's planner and parsers; never touches the store. Parsers other than offers stop at
    their first error, so those kinds report one problem per source."""
    problems = _offer_row_problems(root, name) if kind == "offers" else []
    skip = bool(problems)  # then parse the valid rows too, for the counts; the skipped ones are listed above
    bundles: list[SourceBundle] = []
    try:
        jobs = plan_path(root, kind=kind, name=source_name, version=version, skip_invalid=skip)
    except SkillPathError as exc:
        return [], [*problems, _any_problem(exc, name, root)]
    for job in jobs:
        try:
            bundles += job.parse()
        except Exception as exc:  # untrusted files: a parser bug must become a problem, not a server error
            problem = _any_problem(exc, name, root)
            # A syntax error is already listed; 'no offers found' after every row was refused says nothing new.
            redundant = problem.line is None and any(p.file == problem.file for p in problems)
            if problem not in problems and not redundant:
                problems.append(problem)
    if skip:
        for b in bundles:
            b.notes = [n for n in b.notes if not n.startswith("skipped ")]
    return bundles, problems


def _any_problem(exc: Exception, name: Namer, root: Path) -> Problem:
    if isinstance(exc, InputError):
        return name(exc)
    if isinstance(exc, OSError):  # a folder where the parser wants a file, a file it needs missing
        # Named relative to the upload like any problem: the OSError's own text holds the server's path.
        why = exc.strerror or type(exc).__name__
        return name(InputError(exc.filename if isinstance(exc.filename, str) else root, f"cannot be read ({why})"))
    if not isinstance(exc, SkillPathError):
        log.warning("parsing an upload failed unexpectedly", exc_info=exc)
        return name(InputError(root, f"cannot be read ({type(exc).__name__}: {exc})"))
    return name(InputError(root, str(exc)))


def record_counts(bundle: SourceBundle) -> dict[str, int]:
    """Records by type, as an operator would count them."""
    c: Counter[str] = Counter()
    for occ in bundle.occupations:
        c["groups" if occ.kind == "group" else "occupations"] += 1
    c["skills"], c["relations"] = len(bundle.skills), len(bundle.relations)
    for offer in bundle.offers:
        c["apprenticeships" if offer.kind == "apprenticeship" else "training"] += 1
    c["documents"], c["passages"] = len(bundle.documents), sum(len(d.passages) for d in bundle.documents)
    return {k: v for k, v in c.items() if v}


def _rows_of(session: Session, source_name: str) -> dict[str, int]:
    """What a superseded source holds: its rows disappear with it (sync's delete_source does not count them)."""
    sid = session.scalar(select(Source.id).where(Source.name == source_name))
    if sid is None:
        return {}
    tables = {"occupations": Occupation, "skills": Skill, "relations": OccupationSkill, "offers": Offer,
              "documents": Document}
    counts = {t: session.scalar(select(func.count()).select_from(m).where(m.source_id == sid)) or 0
              for t, m in tables.items()}
    return {t: n for t, n in counts.items() if n}


def preview_changes(
    sessions: sessionmaker[Session], bundles: list[SourceBundle], file: str
) -> tuple[list[SourcePreview], list[Problem]]:
    """What importing the bundles would do: sync each, in order, in one transaction that is then rolled back.

    The problems are the ones only the store can reveal (a concept another source already provides). On SQLite
    the rolled-back transaction holds the write lock while it runs: seconds for a full ESCO export.
    """
    previews: list[SourcePreview] = []
    with sessions() as session:
        try:
            for bundle in bundles:
                gone = [_rows_of(session, n) for n in bundle.supersedes if n != bundle.name]
                report = sync_source(session, bundle)
                diff = {t: TableDiff(c.inserted, c.updated, c.deleted) for t, c in report.tables.items()}
                for rows in gone:
                    for table, n in rows.items():
                        d = diff.get(table, TableDiff())
                        diff[table] = TableDiff(d.added, d.changed, d.removed + n)
                previews.append(SourcePreview(
                    name=bundle.name, kind=bundle.kind, version=bundle.version, counts=record_counts(bundle),
                    diff={t: d for t, d in diff.items() if d.total}, unchanged=report.unchanged,
                    replaces=list(report.removed_sources), notes=list(bundle.notes),
                ))
        except SkillPathError as exc:  # OwnershipError: the import would fail the same way
            return [], [Problem(file, str(exc))]
        finally:
            session.rollback()
    return previews, []


def validate(
    sessions: sessionmaker[Session], root: Path, name: Namer, file: str, *,
    declared_kind: str | None = None, source_name: str | None = None, version: str | None = None,
) -> ValidationReport:
    """Parse, then (only when parsing found nothing wrong) preview the changes against the store."""
    try:
        kind = detect_upload_kind(root, declared_kind)
    except UnknownSourceError:
        why = f"cannot tell what this is; declare its kind ({', '.join(KINDS)})"
        return ValidationReport(kind=None, declared_kind=declared_kind, problems=[Problem(file, why)])
    bundles, problems = parse_upload(root, kind, name, source_name=source_name, version=version)
    report = ValidationReport(kind=kind, declared_kind=declared_kind, problems=problems)
    if not problems:
        report.sources, report.problems = preview_changes(sessions, bundles, file)
        report.diff_computed = not report.problems
    if not report.diff_computed:  # still say what was parsed, without a diff
        report.sources = [SourcePreview(b.name, b.kind, b.version, record_counts(b), notes=list(b.notes))
                          for b in bundles]
    return report
