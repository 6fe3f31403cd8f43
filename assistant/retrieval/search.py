"""The search service behind GET /api/search and `skillpath search`: validated queries, fused hits, citations."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from assistant.errors import QueryError
from assistant.index.documents import TYPES, IndexDoc
from assistant.index.embedders import Embedder
from assistant.index.loaded import Filters, LoadedIndex
from assistant.retrieval.fusion import normalised, rrf, top
from assistant.retrieval.gazetteer import spellings
from assistant.retrieval.normalise import normalise_occupation, normalise_texts
from assistant.retrieval.signals import Signal, query_texts, ranked_lists

MAX_QUERY_CHARS = 500
MAX_K = 100
# Dense lists (one per language) carry meaning across languages; BM25 catches exact words, codes and names.
DENSE_WEIGHT, LEXICAL_WEIGHT = 1.0, 0.7
SIGNALS = (Signal("dense", "dense", None, DENSE_WEIGHT), Signal("lexical", "lexical", None, LEXICAL_WEIGHT))
OFFER_TYPES = (None, "apprenticeship", "training")  # the types a location filter applies to


@dataclass(frozen=True)
class Hit:
    """One search result, in the shape of the public contract (plus language, location, tags and extras)."""

    id: str
    type: str
    scheme: str | None
    code: str | None
    uri: str | None
    title: str
    score: float
    snippet: str
    source: dict[str, str | None]
    language: str
    location: str | None
    tags: list[str]
    extra: dict[str, Any]

    @classmethod
    def of(cls, doc: IndexDoc, score: float) -> "Hit":
        return cls(doc.id, doc.type, doc.scheme, doc.code, doc.uri, doc.title, round(score, 4), doc.snippet,
                   dict(doc.source), doc.language, doc.location, list(doc.tags), dict(doc.extra))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Words that name a kind of offer. With a type filter they repeat it: "焊工学徒" among apprenticeships is a search
# for 焊工. The dense signal embeds the query without them (so it meets the trade's vector, often embedded ahead
# by the warm-up); the lexical one keeps the whole query.
KIND_WORDS = re.compile(r"(?:\s*(?:学徒工?|学徒制|培训班?|课程|实训|\b(?:an? )?apprenticeships?|\bapprentices?|\btrainee|"
                        r"\btraining|\bcourses?))+[\s,，。.!?！？]*$", re.IGNORECASE)


def dense_text(text: str, type: str | None) -> str | None:
    """The query for the dense signal, if it differs: without trailing kind words when a type of offer is chosen."""
    if type not in ("apprenticeship", "training"):
        return None
    rest = KIND_WORDS.sub("", text).strip()
    return rest if rest != text.strip() and len(rest) >= 2 else None


CACHE_SIZE = 4096  # results of ~4k distinct queries: a few MB


@dataclass(frozen=True)
class Query:
    """A validated search request."""

    text: str
    type: str | None = None
    scheme: str | None = None
    lang: str | None = None
    location: str | None = None
    k: int = 10

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise QueryError("q: the query is empty")
        if len(self.text) > MAX_QUERY_CHARS:
            raise QueryError(f"q: the query has {len(self.text)} characters; the limit is {MAX_QUERY_CHARS}")
        if self.type is not None and self.type not in TYPES:
            raise QueryError(f"type: '{self.type}' is not one of {', '.join(TYPES)}")
        if not 1 <= self.k <= MAX_K:
            raise QueryError(f"k: {self.k} is out of range 1..{MAX_K}")


class SearchService:
    """Runs without FastAPI: the web route and the CLI both call search()."""

    def __init__(self, index: Callable[[], LoadedIndex], embedder: Embedder, cache_size: int = CACHE_SIZE) -> None:
        self._index = index  # IndexHolder.get: the current version, reloaded when it changes
        self.embedder = embedder
        # Results per (index version, query). Guidance repeats many searches (an occupation's inferred skills, the
        # offers for it, the pathway's policy citations); a new version starts an empty cache.
        self._cache: OrderedDict[Query, list[Hit]] = OrderedDict()
        self._cache_version: str | None = None
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def clear_cache(self) -> None:
        """Forget cached results (benchmarks measure uncached latency with it)."""
        with self._lock:
            self._cache.clear()

    def search(self, query: Query) -> list[Hit]:
        """Hits best first; cached per index version, so callers must treat hits as read-only."""
        index = self._index()
        version = index.manifest.version_id
        with self._lock:
            if version != self._cache_version:
                self._cache.clear()
                self._cache_version = version
            cached = self._cache.get(query)
            if cached is not None:
                self._cache.move_to_end(query)
                return list(cached)
        hits = self._search(index, query)
        if self._cache_size:
            with self._lock:
                if version == self._cache_version:
                    self._cache[query] = hits
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return list(hits)

    def _docs(self, index: LoadedIndex, query: Query) -> np.ndarray:
        """Which documents a (non-occupation) query may return."""
        types = [query.type] if query.type else None
        location = spellings(query.location) if query.location and query.type in OFFER_TYPES else None
        return index.doc_mask(Filters(types=types, schemes=[query.scheme] if query.scheme else None,
                                      languages=[query.lang] if query.lang else None, location=location))

    def query_texts(self, query: Query) -> list[str]:
        """The texts this search would embed: what a warm-up must embed ahead."""
        index = self._index()
        if query.type == "occupation":
            return normalise_texts(index, query.text, schemes=[query.scheme] if query.scheme else None,
                                   languages=[query.lang] if query.lang else None)
        docs = self._docs(index, query)
        return query_texts(index, query.text, docs, dense_text(query.text, query.type)) if docs.any() else []

    def _search(self, index: LoadedIndex, query: Query) -> list[Hit]:
        for name, value, known in (("scheme", query.scheme, index.schemes), ("lang", query.lang, index.languages)):
            if value and value not in known:
                raise QueryError(f"{name}: '{value}' is not in the index (it has: {', '.join(sorted(known))})")
        schemes = [query.scheme] if query.scheme else None
        languages = [query.lang] if query.lang else None
        if query.type == "occupation":  # occupations have no place: a location filter does not apply
            matches = normalise_occupation(index, self.embedder, query.text, schemes=schemes, languages=languages,
                                           k=query.k)
            return [Hit.of(index.docs[m.doc], m.score) for m in matches]
        docs = self._docs(index, query)
        if not docs.any():
            return []
        lists = ranked_lists(index, self.embedder, query.text, docs, SIGNALS, dense_text(query.text, query.type))
        fused = normalised(rrf(lists), [DENSE_WEIGHT, LEXICAL_WEIGHT])
        return [Hit.of(index.docs[doc], min(score, 1.0)) for doc, score in top(fused, query.k)]
