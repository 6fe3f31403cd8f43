"""Occupation normalisation: a job title or a free description → ranked occupations in any scheme and language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.index.embedders import Embedder
from assistant.index.loaded import Filters, LoadedIndex
from assistant.retrieval.fusion import Ranked, best_per_doc, normalised, rrf, top
from assistant.retrieval.jobad import clean_title

# Signal weights, tuned on a dev split (every 5th row) of the CSCO job-title benchmark; see benchmarks/README.md.
# Titles and aliases carry most of the evidence; definitions help with descriptive queries; tasks a little.
WEIGHTS = {
    "dense:names": 1.0,
    "dense:definition": 0.4,
    "lexical:names": 0.8,
    "lexical:tasks": 0.1,
}
DEPTH = 50  # candidates taken from each signal before fusion


@dataclass(frozen=True)
class OccupationMatch:
    """One ranked occupation, with the rank it reached in each signal (the evidence for the reranking)."""

    doc: int
    score: float
    ranks: dict[str, int]


def _signals(index: LoadedIndex, vector: np.ndarray, query: str, docs: np.ndarray) -> list[Ranked]:
    lists: list[Ranked] = []
    # One dense list per language: e5 prefers the query's own language, so a single list would bury the other
    # scheme (电焊工 scores a Chinese 美发师 above the English "welder"). Per-language lists compete by rank.
    for lang in sorted(set(index.lang[docs].tolist())):
        in_lang = docs & (index.lang == lang)
        for name, fields in (("dense:names", ("title", "alias")), ("dense:definition", ("definition",))):
            units, scores = index.dense_search(vector, DEPTH * 3, index.unit_mask(in_lang, fields))
            ids, best = best_per_doc(units, scores, index.unit_doc)
            lists.append(Ranked(f"{name}:{lang}", WEIGHTS[name], ids[:DEPTH], best[:DEPTH]))
    for name, fields in (("lexical:names", ("title", "alias")), ("lexical:tasks", ("definition", "tasks"))):
        units, scores = index.lexical_search(query, DEPTH * 3, index.unit_mask(docs, fields))
        ids, best = best_per_doc(units, scores, index.unit_doc)
        lists.append(Ranked(name, WEIGHTS[name], ids[:DEPTH], best[:DEPTH]))
    return lists


def normalise_occupation(
    index: LoadedIndex,
    embedder: Embedder,
    text: str,
    *,
    schemes: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    k: int = 10,
    clean: bool = True,
) -> list[OccupationMatch]:
    """Rank occupations (and leaf groups such as 其他教学人员) for a title or description.

    Job-ad noise is stripped first; then names, aliases, definitions and tasks are searched densely and lexically,
    and the lists are fused by reciprocal rank, which rewards agreement across fields and across languages.
    """
    query = clean_title(text) if clean else text.strip()
    docs = index.doc_mask(Filters(types=("occupation",), schemes=schemes, languages=languages, leaf_only=True))
    if not docs.any():
        return []
    vector = embedder.embed_queries([query])[0]
    lists = _signals(index, vector, query, docs)
    fused = rrf(lists)
    # A language's lists count once in the ceiling: first place in every list of one language scores 1.0.
    per_language = [WEIGHTS[n] for n in ("dense:names", "dense:definition", "lexical:names", "lexical:tasks")]
    scores = normalised(fused, per_language)
    out = []
    for doc, score in top(scores, k):
        ranks = {r.name: r.docs.index(doc) + 1 for r in lists if doc in r.docs}
        out.append(OccupationMatch(doc, round(min(score, 1.0), 4), ranks))
    return out
