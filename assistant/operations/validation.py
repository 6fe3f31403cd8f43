"""Validate uploaded sources without changing the store: parse with the ingest parsers, list every problem, preview.

Offers and documents, the usual uploads, are parsed once (every bad value of every record listed) and their change
preview is read from the store (ingest/diff.py): nothing is written, so validation never waits for SQLite's write
lock nor holds it. Taxonomies keep the trial run of ingest's own `sync_source` inside a transaction that is always
rolled back: their ownership checks and superseded sources are only known to the code the import runs.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import InputError, SkillPathError, UnknownSourceError
from assistant.ingest.budget import UNLIMITED, DocumentBudget
from assistant.ingest.diff import readonly_diff
from assistant.ingest.documents import SUPPORTED as DOCUMENT_SUFFIXES
from assistant.ingest.offers import FORMATS as OFFER_SUFFIXES
from assistant.ingest.offers import parse_offers_collecting
from assistant.ingest.records import SourceBundle
from assistant.ingest.runner import KINDS, detect_kind, plan_path
from assistant.ingest.sync import SyncReport, sync_source
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
    # Folders named like a file (x.csv/) too: reading one fails, and the report says so rather than skip it.
    return sorted(p for p in root.iterdir() if p.suffix.lower() in OFFER_SUFFIXES)


def _parse_offers(root: Path, name: Namer, source_name: str | None, version: str | None
                  ) -> tuple[list[SourceBundle], list[Problem]]:
    """Each offers file parsed once: its valid records in a bundle, every bad value of the others a problem."""
    bundles: list[SourceBundle] = []
    problems: list[Problem] = []
    for path in _offer_files(root):
        errors: list[InputError] = []
        try:
            bundles.append(parse_offers_collecting(path, errors, name=source_name if root.is_file() else None,
                                                   version=version))
        except InputError as exc:  # the file ends here: a syntax error, or no valid offer at all
            if not errors or exc.line is not None:  # 'no offers found' after every row was refused says nothing new
                errors.append(exc)
        except Exception as exc:  # untrusted files: a parser bug must become a problem, not a server error
            problems.append(_any_problem(exc, name, root))
        problems += [name(e) for e in errors]
    return bundles, problems


def parse_upload(
    root: Path, kind: str, name: Namer, *, source_name: str | None = None, version: str | None = None,
    budget: DocumentBudget = UNLIMITED,
) -> tuple[list[SourceBundle], list[Problem]]:
    """Parse with ingest's planner and parsers; never touches the store. Offers list every bad value of every
    record; the other parsers stop at their first error, so those kinds report one problem per source."""
    try:
        jobs = plan_path(root, kind=kind, name=source_name, version=version, budget=budget)
    except SkillPathError as exc:
        return [], [_any_problem(exc, name, root)]
    if kind == "offers":
        return _parse_offers(root, name, source_name, version)
    bundles: list[SourceBundle] = []
    problems: list[Problem] = []
    for job in jobs:
        try:
            bundles += job.parse()
        except Exception as exc:  # untrusted files: a parser bug must become a problem, not a server error
            problem = _any_problem(exc, name, root)
            if problem not in problems:
                problems.append(problem)
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


def rows_of(session: Session, source_name: str) -> dict[str, int]:
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
                gone = [rows_of(session, n) for n in bundle.supersedes if n != bundle.name]
                report = _diff(session, bundle)
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


def _diff(session: Session, bundle: SourceBundle) -> SyncReport:
    """Read-only where the bundle allows (offers, documents), else the trial sync the caller rolls back."""
    report = readonly_diff(session, bundle)
    return report if report is not None else sync_source(session, bundle)


def validate(
    sessions: sessionmaker[Session], root: Path, name: Namer, file: str, *,
    declared_kind: str | None = None, source_name: str | None = None, version: str | None = None,
    budget: DocumentBudget = UNLIMITED,
) -> ValidationReport:
    """Parse, then (only when parsing found nothing wrong) preview the changes against the store."""
    try:
        kind = detect_upload_kind(root, declared_kind)
    except UnknownSourceError:
        why = f"cannot tell what this is; declare its kind ({', '.join(KINDS)})"
        return ValidationReport(kind=None, declared_kind=declared_kind, problems=[Problem(file, why)])
    bundles, problems = parse_upload(root, kind, name, source_name=source_name, version=version, budget=budget)
    report = ValidationReport(kind=kind, declared_kind=declared_kind, problems=problems)
    if not problems:
        report.sources, report.problems = preview_changes(sessions, bundles, file)
        report.diff_computed = not report.problems
    if not report.diff_computed:  # still say what was parsed, without a diff
        report.sources = [SourcePreview(b.name, b.kind, b.version, record_counts(b), notes=list(b.notes))
                          for b in bundles]
    return report
