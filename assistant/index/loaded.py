"""A built index version in memory, and the holder that serves the current one and reloads it when it changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import IndexMismatchError, IndexNotReadyError
from assistant.index.build import FIELDS, LEXICAL_DIR, LEXICAL_GROUPS, UNITS_FILE, load_docs
from assistant.index.dense import DenseIndex
from assistant.index.documents import IndexDoc
from assistant.index.lexical import LexicalIndex
from assistant.index.manifest import Manifest, check_compatible, read_manifest, verify_files
from assistant.index.skill_views import SkillViews
from assistant.index.versions import IndexVersions

MASK_CACHE = 512  # distinct (filters, fields) masks kept per loaded index


@dataclass(frozen=True)
class Filters:
    """Which documents may match; None means any."""

    types: Sequence[str] | None = None
    schemes: Sequence[str] | None = None
    languages: Sequence[str] | None = None
    location: str | Sequence[str] | None = None  # one spelling, or spellings of one place (湖州, 湖州市, Huzhou): any may match
    leaf_only: bool = False


class LoadedIndex:
    """Documents, the unit table and both indexes of one version, verified against its manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest: Manifest = read_manifest(folder)
        verify_files(folder, self.manifest)
        self.docs: list[IndexDoc] = load_docs(folder)
        with np.load(folder / UNITS_FILE) as units:
            self.unit_doc = units["doc"].astype(np.int64)
            self.unit_field = units["field"]
            dense_row = units["dense_row"]
        self.dense_unit = np.flatnonzero(dense_row >= 0)  # dense row r is unit dense_unit[r]
        self.dense = DenseIndex.load(folder)
        groups = np.array([LEXICAL_GROUPS[self.docs[d].type] for d in self.unit_doc.tolist()])
        # Each collection's BM25 numbers its own units; keep the map back to the shared unit ids.
        self.lexical = {g: (LexicalIndex.load(folder / f"{LEXICAL_DIR}{g}"), np.flatnonzero(groups == g))
                        for g in sorted(set(groups.tolist()))}
        self._type = np.array([d.type for d in self.docs])
        self._scheme = np.array([d.scheme or "" for d in self.docs])
        self.lang = np.array([d.language for d in self.docs])
        self._leaf = np.array([d.leaf for d in self.docs], bool)
        # Distinct places and, per document, which one: a location filter tests each place once, not each
        # document (1M offers sit in a few hundred places; testing every document took ~1 s per new place).
        places, self._location = np.unique(np.array([(d.location or "").casefold() for d in self.docs], dtype=object),
                                           return_inverse=True)
        self._places: list[str] = places.tolist()
        self._masks: dict[tuple[object, ...], np.ndarray] = {}
        self._names: dict[str, list[int]] | None = None
        self.schemes = frozenset(d.scheme for d in self.docs if d.scheme)
        self.languages = frozenset(d.language for d in self.docs)
        # The second model's English skill vectors, when the build wrote them (memory-mapped: opened, not read).
        self.skill_views: SkillViews | None = SkillViews(folder) if SkillViews.exists(folder) else None

    def doc_mask(self, f: Filters) -> np.ndarray:
        """Which documents pass the filters (cached: a search asks for the same few masks again and again)."""
        key = ("doc", *(tuple(v) if v is not None and not isinstance(v, str) else v for v in
                        (f.types, f.schemes, f.languages, f.location)), f.leaf_only)
        return self._cached(key, lambda: self._doc_mask(f))

    def _cached(self, key: tuple[object, ...], make: Callable[[], np.ndarray]) -> np.ndarray:
        mask = self._masks.get(key)
        if mask is None:
            if len(self._masks) >= MASK_CACHE:
                self._masks.clear()  # filters come in few combinations; a full reset is simpler than LRU
            mask = self._masks[key] = make()
            mask.flags.writeable = False  # shared between requests: callers combine masks with &, never &=
        return mask

    def _doc_mask(self, f: Filters) -> np.ndarray:
        mask = np.ones(len(self.docs), bool)
        for values, column in ((f.types, self._type), (f.schemes, self._scheme), (f.languages, self.lang)):
            if values:
                mask &= np.isin(column, list(values))
        if f.leaf_only:
            mask &= self._leaf
        if f.location:
            given = [f.location] if isinstance(f.location, str) else f.location
            wheres = [w.casefold() for w in given if w.strip()]
            near = np.array([bool(loc) and any(w in loc or loc in w for w in wheres) for loc in self._places], bool)
            mask &= near[self._location]
        return mask

    def names(self) -> dict[str, list[int]]:
        """Every title and alias, case-folded, to the documents that carry it (built on first use)."""
        if self._names is None:
            table: dict[str, list[int]] = {}
            for i, d in enumerate(self.docs):
                for name in dict.fromkeys(n.casefold().strip() for n in [d.title, *d.aliases]):
                    if name:
                        table.setdefault(name, []).append(i)
            self._names = table
        return self._names

    def language_mask(self, lang: str) -> np.ndarray:
        return self._cached(("lang", lang), lambda: self.lang == lang)

    def unit_mask(self, doc_mask: np.ndarray, fields: Sequence[str] | None = None) -> np.ndarray:
        """Units of the allowed documents, optionally only some fields (title, alias, definition, ...)."""
        key = ("unit", hash(np.packbits(doc_mask).tobytes()), tuple(fields) if fields is not None else None)

        def make() -> np.ndarray:
            mask = doc_mask[self.unit_doc]
            if fields is not None:
                mask &= np.isin(self.unit_field, [FIELDS.index(f) for f in fields])
            return mask

        return self._cached(key, make)

    def dense_search(self, vector: np.ndarray, k: int, unit_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Units (ids into the unit table) nearest to one query vector, among the allowed ones."""
        allowed = unit_mask[self.dense_unit]
        if not allowed.any():
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        rows, scores = self.dense.search(vector.reshape(1, -1), k, allowed)
        keep = rows[0] >= 0
        return self.dense_unit[rows[0][keep]], scores[0][keep]

    def lexical_search(self, query: str, k: int, unit_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """BM25 in each collection the mask reaches (usually one), merged by score, best first."""
        ids_out, scores_out = [], []
        for index, ids in self.lexical.values():
            allowed = unit_mask[ids]
            if allowed.any():
                found, scores = index.search(query, k, allowed)
                ids_out.append(ids[found])
                scores_out.append(scores)
        if not ids_out:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        ids_all, scores_all = np.concatenate(ids_out), np.concatenate(scores_out)
        order = np.lexsort((ids_all, -scores_all))[:k]
        return ids_all[order], scores_all[order]


class IndexHolder:
    """Serves the CURRENT version; picks up a new one (or a rollback) on the next request, without a restart."""

    def __init__(
        self,
        versions: IndexVersions,
        *,
        embedder: tuple[str, str, Callable[[], int]],
        store_hash: Callable[[], str] | None = None,
        check_store_every: float = 2.0,
    ) -> None:
        self.versions = versions
        self._embedder = embedder
        self._store_hash = store_hash
        self._every = check_store_every
        self._lock = threading.Lock()
        self._loaded: LoadedIndex | None = None
        self._marker: tuple[int, int] | None = None
        self._problems: list[str] = []  # fatal: nothing is served
        self._stale: list[str] = []  # the store moved on since the build: served, with a warning
        self._unloadable: list[str] = []  # CURRENT cannot be loaded while an older version is served
        self._store_checked = 0.0
        self._store_now: str | None = None
        self._checking = threading.Lock()  # held by the one thread asking the store

    def _check_store(self) -> None:
        """Whether the store moved on since the build, asked at most every few seconds by ONE request thread while
        the others go on with the last answer: under load, threads queueing behind a database query here (each
        for a pooled connection) stalled every search."""
        if self._store_hash is None or time.monotonic() - self._store_checked < self._every:
            return
        if not self._checking.acquire(blocking=False):
            return
        try:
            if time.monotonic() - self._store_checked < self._every:
                return
            try:
                self._store_now = self._store_hash()
            except Exception:  # noqa: BLE001 - the index serves from memory; /healthz reports the store itself
                self._store_now = None
            self._store_checked = time.monotonic()
        finally:
            self._checking.release()

    def _refresh(self) -> None:
        marker = self.versions.marker()
        if marker != self._marker or self._loaded is None:
            path = self.versions.current_path()
            self._unloadable = []
            if path is None:
                self._loaded, self._marker = None, marker
                self._problems = ["no index has been built yet — run `skillpath index`"]
            else:
                try:
                    self._loaded = LoadedIndex(path)
                    self._marker = marker
                except Exception as exc:  # noqa: BLE001 - keep serving what we had, and say why
                    problem = f"index version {path.name} cannot be loaded: {exc}"
                    if self._loaded is None:
                        self._problems = [problem]
                        return
                    self._unloadable = [f"{problem}; still serving {self._loaded.manifest.version_id}"]
            self._store_checked = 0.0
        if self._loaded is not None:
            name, version, dim = self._embedder
            manifest = self._loaded.manifest
            # Vectors from another model are meaningless to this one: refuse. A store that changed since the
            # build still gives correct citations for what the index holds: serve it, but say it is stale.
            self._problems = check_compatible(manifest, embedder=name, embedder_version=version, dim=dim(),
                                              store_hash=None)
            self._stale = self._unloadable + check_compatible(
                manifest, embedder=manifest.embedder, embedder_version=manifest.embedder_version, dim=manifest.dim,
                store_hash=self._store_now)

    def get(self) -> LoadedIndex:
        """The serving index, or an error saying exactly why there is none to serve."""
        self._check_store()
        with self._lock:
            self._refresh()
            if self._loaded is None:
                raise IndexNotReadyError("; ".join(self._problems) or "no index")
            if self._problems:
                raise IndexMismatchError("; ".join(self._problems))
            return self._loaded

    def warnings(self) -> list[str]:
        """Why the served index may be out of date (empty when it matches the store)."""
        with self._lock:
            return list(self._stale)

    def status(self) -> dict[str, object]:
        """For /healthz and `skillpath status`: the serving version and any mismatch, without raising."""
        self._check_store()
        with self._lock:
            self._refresh()
            m = self._loaded.manifest if self._loaded else None
            return {
                "state": "missing" if m is None else "mismatch" if self._problems else "stale" if self._stale else "ok",
                "version": m.version_id if m else None,
                "built_at": m.built_at if m else None,
                "embedder": f"{m.embedder} ({m.embedder_version}, {m.dim}-d)" if m else None,
                "counts": m.counts if m else {},
                "problems": list(self._problems) + list(self._stale),
            }
