"""Build a new index version beside the serving one: read the store, embed, index, write, switch atomically."""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from assistant import __version__
from assistant.errors import DiskFullError, SkillPathError
from assistant.index.dense import DenseIndex
from assistant.index.documents import IndexDoc, Unit, collect, store_hash
from assistant.index.embedders import Embedder
from assistant.index.lexical import LexicalIndex
from assistant.index.manifest import Manifest, hash_files, new_version_id, write_manifest
from assistant.index.skill_views import build_views, skill_texts
from assistant.index.versions import IndexVersions

DOCS_FILE = "docs.jsonl"
UNITS_FILE = "units.npz"
FIELDS = ("title", "alias", "definition", "tasks", "body")
LEXICAL_DIR = "lexical-"
LEXICAL_GROUPS = {"occupation": "occupation", "skill": "skill", "apprenticeship": "offer", "training": "offer",
                  "policy": "policy"}
EMBED_BATCH = 2048  # texts per model call: the batch engine groups them by length, bigger groups run faster
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)  # out of space, out of quota


@dataclass(frozen=True)
class BuildReport:
    """What a build produced, for the CLI and the benchmarks."""

    version_id: str
    manifest: Manifest
    embedded: int  # texts sent to the model
    reused: int  # texts whose vectors came from the cache
    seconds: float


class StoreChangedError(SkillPathError):
    """The store changed while the index was reading it; the build is abandoned, the old index keeps serving."""


def _read_store(sessions: sessionmaker[Session]) -> tuple[str, list[IndexDoc], list[Unit]]:
    """Read every indexable row, checking the store did not change underneath (an ingest running meanwhile)."""
    with sessions() as session:
        before = store_hash(session)
        docs, units = collect(session)
        after = store_hash(session)
    if before != after:
        raise StoreChangedError("the store changed while the index was being built (an ingest ran?); run it again")
    return before, docs, units


def _embed(embedder: Embedder, texts: list[str], on_step: Callable[[str, int, int], None]) -> np.ndarray:
    out = np.zeros((len(texts), embedder.dim), np.float32)
    if texts:
        on_step("embed", 0, len(texts))  # the total, before the first batch (about a minute on 2 cores with e5)
    for start in range(0, len(texts), EMBED_BATCH):
        out[start : start + EMBED_BATCH] = embedder.embed_passages(texts[start : start + EMBED_BATCH])
        on_step("embed", min(start + EMBED_BATCH, len(texts)), len(texts))
    return out


def write_artifacts(folder: Path, docs: list[IndexDoc], units: list[Unit], dense: DenseIndex,
                    on_step: Callable[[str, int, int], None] | None = None) -> list[str]:
    """Write documents, unit table, dense and lexical indexes into folder; return the file names."""
    step = on_step or (lambda _name, _done, _total: None)  # "write", "lexical": each takes minutes at 1M offers
    with open(folder / DOCS_FILE, "w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(doc.to_json() + "\n")
    dense_rows = np.full(len(units), -1, np.int32)
    dense_rows[[i for i, u in enumerate(units) if u.dense]] = np.arange(len(dense), dtype=np.int32)
    np.savez(
        folder / UNITS_FILE,
        doc=np.array([u.doc for u in units], np.int32),
        field=np.array([FIELDS.index(u.field) for u in units], np.int8),
        dense_row=dense_rows,
    )
    files = [DOCS_FILE, UNITS_FILE, *dense.save(folder)]
    step("write", len(docs), len(docs))
    # One BM25 per collection: word statistics from the collection searched (学徒 is rare among 20k taxonomy
    # concepts but common among offers; a shared IDF made 电工学徒 outrank 焊工学徒 for "焊工学徒").
    groups = [LEXICAL_GROUPS[docs[u.doc].type] for u in units]
    for group in sorted(set(groups)):
        sub = LexicalIndex.build([u.text for u, g in zip(units, groups) if g == group])
        files += [f"{LEXICAL_DIR}{group}/{name}" for name in sub.save(folder / f"{LEXICAL_DIR}{group}")]
    step("lexical", len(units), len(units))
    return files


def build_index(
    sessions: sessionmaker[Session],
    embedder: Embedder,
    versions: IndexVersions,
    *,
    approximate_above: int = 50_000,
    on_step: Callable[[str, int, int], None] | None = None,
    views: Embedder | None = None,
) -> BuildReport:
    """Build, publish and prune. On any error (or a kill) the staging folder is dropped and CURRENT is untouched.

    `views`, when given, is the second model that reads the English skills (index/skill_views.py).
    """
    step = on_step or (lambda _name, _done, _total: None)
    started = time.perf_counter()
    with versions.build_lock():
        digest, docs, units = _read_store(sessions)
        step("read", len(docs), len(docs))
        version_id = new_version_id()
        staging = versions.start(version_id)
        try:
            texts = [u.text for u in units if u.dense]
            hits_before = getattr(embedder, "hits", 0)
            # Indexed straight away and not kept: at 1M offers the vectors take 3 GB, and the index holds a copy.
            dense = DenseIndex.build(_embed(embedder, texts, step), approximate_above=approximate_above)
            step("dense", len(dense), len(dense))
            reused = getattr(embedder, "hits", 0) - hits_before
            files, dense_kind = write_artifacts(staging, docs, units, dense, step), dense.kind
            # An index without English skills has nothing for the second model to read.
            if views is not None and (skills := skill_texts(docs, units)):
                files += build_views(staging, skills, views, embedder, step)
            step("index", len(units), len(units))
            manifest = Manifest(
                version_id=version_id, embedder=embedder.name, embedder_version=embedder.version,
                dim=embedder.dim, counts=dict(sorted(Counter(d.type for d in docs).items())), units=len(units),
                store_hash=digest, built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                dense_kind=dense_kind, build_seconds=round(time.perf_counter() - started, 2),
                files=hash_files(staging, files), app_version=__version__,
            )
            write_manifest(staging, manifest)
            versions.publish(staging)
        except OSError as exc:
            versions.abandon(staging)
            if exc.errno in DISK_FULL:
                raise _disk_full(exc, versions, staging, version_id) from exc
            raise
        except BaseException:
            versions.abandon(staging)
            raise
    return BuildReport(version_id, manifest, len(texts) - reused, reused, time.perf_counter() - started)


def _size(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _disk_full(exc: OSError, versions: IndexVersions, staging: Path, version_id: str) -> DiskFullError:
    """Says what ran out, where, how much is free now the staging folder is gone, and what still serves."""
    code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
    where = f" at {exc.filename}" if exc.filename else ""
    usage = shutil.disk_usage(versions.root)
    serving = versions.current_path()
    needs = ""
    if serving is not None:  # a new version is about the size of the one it replaces
        size = sum(p.stat().st_blocks * 512 for p in serving.rglob("*") if p.is_file())  # as allocated
        needs = f" (the serving version takes {_size(size)})"
    still = f"index version {serving.name} is still served" if serving else "no index version is served yet"
    return DiskFullError(
        f"disk full while writing index version {version_id}: {code} ({os.strerror(exc.errno or errno.ENOSPC)})"
        f"{where}; the build was abandoned and {staging} removed. {_size(usage.free)} free of {_size(usage.total)} "
        f"on that disk{needs}; {still}. Free some space and build the index again."
    )


def load_docs(folder: Path) -> list[IndexDoc]:
    with open(folder / DOCS_FILE, encoding="utf-8") as fh:
        return [IndexDoc.from_dict(json.loads(line)) for line in fh if line.strip()]
