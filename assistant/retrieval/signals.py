"""Ranked candidate lists per document language: dense and lexical signals over chosen fields, ready to fuse."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.index.embedders import Embedder
from assistant.index.loaded import LoadedIndex
from assistant.retrieval.crosslingual import OTHER_LANGUAGE_WEIGHT, language_variants
from assistant.text import language_of
from assistant.retrieval.fusion import Ranked, best_per_doc

DEPTH = 50  # candidates taken from each list before fusion


@dataclass(frozen=True)
class Signal:
    """One way of ranking: dense or lexical, over some fields (None: all), with its fusion weight."""

    name: str
    kind: str  # dense | lexical
    fields: tuple[str, ...] | None
    weight: float


def ranked_lists(index: LoadedIndex, embedder: Embedder, query: str, docs: np.ndarray,
                 signals: tuple[Signal, ...], dense_query: str | None = None) -> list[Ranked]:
    """Every signal, once per language of the allowed documents.

    One set of lists per language: e5 prefers the query's own language, so a single dense list would bury the
    other one. For the other language the query is first carried across with the bilingual vocabulary, because
    e5-small's cross-lingual match of short titles is weak (电焊工 → "electrical engineering technician" above
    "welder"); without a vocabulary term the query is used as it is. Own-language lists weigh a little more.
    `dense_query`, if given, is what the dense signals embed instead of the query (the lexical ones keep it).
    """
    lists: list[Ranked] = []
    vectors: dict[str, np.ndarray] = {}  # one embedding per distinct text: untranslated languages share it
    own = language_of(query)
    present = _present(index, docs)
    variants = language_variants(query, list(present))
    dense_variants = language_variants(dense_query, list(present)) if dense_query else variants
    if any(s.kind == "dense" for s in signals):
        # Both languages' texts in one model call: a batch of two costs well under two calls.
        texts = list(dict.fromkeys(dense_variants.values()))
        vectors.update(zip(texts, embedder.embed_queries(texts)))
    for lang, text in variants.items():
        factor = 1.0 if lang == own else OTHER_LANGUAGE_WEIGHT
        in_lang = present[lang]
        for s in signals:
            mask = index.unit_mask(in_lang, s.fields)
            if s.kind == "dense":
                units, scores = index.dense_search(vectors[dense_variants[lang]], DEPTH * 3, mask)
            else:
                units, scores = index.lexical_search(text, DEPTH * 3, mask)
            ids, best = best_per_doc(units, scores, index.unit_doc)
            lists.append(Ranked(f"{s.name}:{lang}", s.weight * factor, ids[:DEPTH], best[:DEPTH]))
    return lists


def _present(index: LoadedIndex, docs: np.ndarray) -> dict[str, np.ndarray]:
    """The allowed documents per language, for the languages that have any."""
    present = {lang: docs & index.language_mask(lang) for lang in sorted(index.languages)}
    return {lang: mask for lang, mask in present.items() if mask.any()}


def query_texts(index: LoadedIndex, query: str, docs: np.ndarray, dense_query: str | None = None) -> list[str]:
    """The distinct texts ranked_lists embeds for this query over these documents (one per language variant)."""
    return list(dict.fromkeys(language_variants(dense_query or query, list(_present(index, docs))).values()))
