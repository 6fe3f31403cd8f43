"""More readings of English skills beside the index: a second model's view of each skill's labels and definition,
and the main model's view of its title as a query.

The index embeds a skill's title as a passage with the main model (e5-small, multilingual). Job-ad English names
skills in many ways ("picking and packing orders", "pick orders for dispatching"): a second, English-only model
(all-MiniLM-L6-v2) that also sees every alternative label and the definition, and e5 reading the title as a
query (so that a short phrase meets a short label on the same side), rank them better together than e5 alone
(benchmarks/skill_extraction_en.py; docs/benchmarks.md). Only the vectors live here; the ranking that uses them
is understanding/skills.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.index.documents import IndexDoc, Unit
from assistant.index.embedders import Embedder
from assistant.labels import LabelBoundaries

VIEWS_DIR = "skill-views-en"
LABELS_FILE, DEFINITIONS_FILE, META_FILE = "labels.npy", "definitions.npy", "views.json"
LABEL_DOCS_FILE, TITLE_QUERIES_FILE = "label_docs.npy", "title_queries.npy"
FILES = (LABELS_FILE, DEFINITIONS_FILE, LABEL_DOCS_FILE, TITLE_QUERIES_FILE, META_FILE)
MAX_LABELS = 16  # labels kept per skill (ESCO lists up to ~30 alternatives; the first ones are the common ones)
EMBED_BATCH = 4096


@dataclass(frozen=True)
class SkillTexts:
    """What the second model reads of one skill: its labels one by one, and its labels and definition together."""

    doc: int
    labels: tuple[str, ...]
    definition: str


def skill_texts(docs: Sequence[IndexDoc], units: Sequence[Unit]) -> list[SkillTexts]:
    """The English skills' labels and definitions, from the units the index is built from.

    The light ESCO set keeps a skill's labels as one unseparated run ('manage music staff direct musical staff…',
    starting with the title): such a run is cut into labels with the boundaries learned from all runs.
    """
    by_doc: dict[int, dict[str, list[str]]] = {}
    for u in units:
        doc = docs[u.doc]
        if doc.type == "skill" and doc.language == "en" and u.field in ("title", "alias", "definition"):
            by_doc.setdefault(u.doc, {}).setdefault(u.field, []).append(u.text)
    runs = [a for fields in by_doc.values() for a in fields.get("alias", ())
            if _is_run(a, fields.get("title", [""])[0])]
    boundaries = LabelBoundaries(runs) if runs else None
    out = []
    for d, fields in sorted(by_doc.items()):
        title = fields.get("title", [docs[d].title])[0]
        labels = [title]
        for alias in fields.get("alias", ()):
            labels += _cut(alias, boundaries) if boundaries and _is_run(alias, title) else [alias]
        labels = list(dict.fromkeys(x.strip() for x in labels if x.strip()))[:MAX_LABELS]
        named = " ".join(fields.get("alias", ()) or [title])
        out.append(SkillTexts(d, tuple(labels), " ".join([named, *fields.get("definition", ())]).strip()))
    return out


def _is_run(alias: str, title: str) -> bool:
    return bool(title) and alias.startswith(title + " ")


def _cut(run: str, boundaries: LabelBoundaries) -> list[str]:
    words, out = run.split(), []
    while words and len(out) < MAX_LABELS:
        label = boundaries.title(" ".join(words))
        out.append(label)
        words = words[max(len(label.split()), 1):]
    return out


def build_views(folder: Path, texts: list[SkillTexts], embedder: Embedder, main: Embedder,
                on_step: Callable[[str, int, int], None] | None = None) -> list[str]:
    """Embed and write the views into folder/VIEWS_DIR; return the file names (relative to folder).

    `embedder` is the second model; `main` the index's own, which reads each title as a query.
    """
    step = on_step or (lambda _name, _done, _total: None)
    target = folder / VIEWS_DIR
    target.mkdir()
    label_texts = [label for t in texts for label in t.labels]
    all_texts = label_texts + [t.definition for t in texts]
    vectors = np.zeros((len(all_texts), embedder.dim), np.float16)  # half precision: ~110k rows stay ~85 MB
    step("views", 0, len(all_texts))
    for start in range(0, len(all_texts), EMBED_BATCH):
        vectors[start:start + EMBED_BATCH] = embedder.embed_passages(all_texts[start:start + EMBED_BATCH])
        step("views", min(start + EMBED_BATCH, len(all_texts)), len(all_texts))
    np.save(target / LABELS_FILE, vectors[:len(label_texts)])
    np.save(target / DEFINITIONS_FILE, vectors[len(label_texts):])
    np.save(target / LABEL_DOCS_FILE, np.array([t.doc for t in texts for _ in t.labels], np.int32))
    titles = [t.labels[0] for t in texts]
    bulk = getattr(main, "embed_queries_bulk", None)  # knowledge-base texts: the batch engine and the disk cache
    np.save(target / TITLE_QUERIES_FILE, (bulk or main.embed_queries)(titles).astype(np.float16))
    meta = {"embedder": embedder.name, "version": embedder.version, "dim": embedder.dim,
            "main": main.name, "main_dim": main.dim, "docs": [t.doc for t in texts]}
    (target / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    return [f"{VIEWS_DIR}/{name}" for name in FILES]


class SkillViews:
    """The written views of one index version, memory-mapped: only the rows a ranking asks for are read."""

    def __init__(self, folder: Path) -> None:
        target = folder / VIEWS_DIR
        meta = json.loads((target / META_FILE).read_text(encoding="utf-8"))
        self.embedder, self.version, self.dim = meta["embedder"], meta["version"], int(meta["dim"])
        self.main, self.main_dim = meta["main"], int(meta["main_dim"])
        self._labels = np.load(target / LABELS_FILE, mmap_mode="r")
        self._title_queries = np.load(target / TITLE_QUERIES_FILE, mmap_mode="r")
        self._definitions = np.load(target / DEFINITIONS_FILE, mmap_mode="r")
        label_docs = np.load(target / LABEL_DOCS_FILE)
        self._row = {int(d): i for i, d in enumerate(meta["docs"])}  # a doc's row in definitions and title queries
        # Labels are written doc by doc: each doc's rows are one slice.
        starts = np.flatnonzero(np.r_[True, label_docs[1:] != label_docs[:-1]])
        ends = np.r_[starts[1:], len(label_docs)]
        self._label_rows = {int(label_docs[s]): (int(s), int(e)) for s, e in zip(starts, ends)}

    @staticmethod
    def exists(folder: Path) -> bool:
        return all((folder / VIEWS_DIR / name).exists() for name in FILES)

    def covers(self, doc: int) -> bool:
        return doc in self._row

    def cosines(self, queries: np.ndarray, docs: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(best label cosine, definition cosine) of every query with every doc, each (queries, docs);
        0 where a doc has no view (a Chinese skill, a CSCO task)."""
        q = np.asarray(queries, np.float32)
        labels = np.zeros((len(q), len(docs)), np.float32)
        spans = [self._label_rows.get(d) for d in docs]
        rows = [np.arange(*s) for s in spans if s]
        if rows:
            label_cos = np.asarray(self._labels[np.concatenate(rows)], np.float32) @ q.T
            at = 0
            for j, s in enumerate(spans):
                if s:
                    n = s[1] - s[0]
                    labels[:, j] = label_cos[at:at + n].max(axis=0)
                    at += n
        return labels, self._per_doc(self._definitions, q, docs)

    def title_cosines(self, queries: np.ndarray, docs: Sequence[int]) -> np.ndarray:
        """Cosine of every main-model query vector with every doc's title read as a query, (queries, docs)."""
        return self._per_doc(self._title_queries, np.asarray(queries, np.float32), docs)

    def _per_doc(self, vectors: np.ndarray, q: np.ndarray, docs: Sequence[int]) -> np.ndarray:
        out = np.zeros((len(q), len(docs)), np.float32)
        have = [(j, self._row[d]) for j, d in enumerate(docs) if d in self._row]
        if have:
            cols, rows = zip(*have)
            out[:, list(cols)] = (np.asarray(vectors[list(rows)], np.float32) @ q.T).T
        return out
