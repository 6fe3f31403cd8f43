"""Vectors for the scale benchmark: the embedder its build uses, an exact scan to compare the index with, recall."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.synthetic_offers import SyntheticOffers

EXACT_CHUNK = 131_072  # rows scored at a time by the exact scan
TIE = 1e-5  # scores this close to the k-th exact score count as ties (offers sharing a title share its vector)


class ComposingEmbedder:
    """What build_index embeds with: synthetic offers' texts get composed vectors, every other text the cached
    model's. Each batch it returns is also appended to a file, so the exact search can read the same vectors."""

    def __init__(self, offers: SyntheticOffers, keys: np.ndarray, values: np.ndarray, inner: Any, spill: Path) -> None:
        self.offers, self.inner = offers, inner
        order = np.argsort(keys, kind="stable")
        self._keys, self._values = keys[order], values[order]
        self.name, self.version, self.dim = inner.name, inner.version, inner.dim
        self._spill = open(spill, "wb")  # noqa: SIM115 - closed by close(), after the build
        self.composed = self.model = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        hashes = np.fromiter((hash(t) for t in texts), np.int64, len(texts))
        pos = np.minimum(np.searchsorted(self._keys, hashes), len(self._keys) - 1)
        found = self._keys[pos] == hashes
        other = np.flatnonzero(~found)
        if len(other):
            out[other] = self.inner.embed_passages([texts[i] for i in other])
        value = self._values[pos]
        for bit, field in ((0, "title"), (1, "body")):
            rows = np.flatnonzero(found & ((value & 1) == bit))
            if len(rows):
                out[rows] = self.offers.compose(value[rows] >> 1, field)
        self.composed += int(found.sum())
        self.model += len(other)
        self._spill.write(out.tobytes())
        return out

    def close(self) -> None:
        self._spill.close()


class Remembering:
    """An embedder that remembers query vectors, so a second pass times the search without the model."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.version, self.dim = inner, inner.name, inner.version, inner.dim
        self._seen: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self.inner.embed_queries(missing)))
        return np.stack([self._seen[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product top-k over the rows (optionally only allowed ones), scanning in chunks."""
    import faiss

    best_s = np.full((len(queries), k), -np.inf, np.float32)
    best_i = np.full((len(queries), k), -1, np.int64)
    for start in range(0, len(vectors), EXACT_CHUNK):
        chunk = np.ascontiguousarray(vectors[start : start + EXACT_CHUNK])
        if allowed is None:
            s, i = faiss.knn(queries, chunk, k, metric=faiss.METRIC_INNER_PRODUCT)
        else:
            scores = queries @ chunk.T
            scores[:, ~allowed[start : start + len(chunk)]] = -np.inf
            i = np.argsort(-scores, axis=1)[:, :k]
            s = np.take_along_axis(scores, i, axis=1)
        s, i = np.asarray(s, np.float32), np.where(np.isfinite(s), i + start, -1)
        all_s, all_i = np.hstack([best_s, s]), np.hstack([best_i, i])
        order = np.argsort(-all_s, axis=1, kind="stable")[:, :k]
        best_s, best_i = np.take_along_axis(all_s, order, 1), np.take_along_axis(all_i, order, 1)
    return best_i, best_s


def recall(vectors: np.ndarray, queries: np.ndarray, got: np.ndarray, exact_i: np.ndarray,
           exact_s: np.ndarray) -> tuple[float, float]:
    """(recall@k by id, recall@k counting ties at the k-th exact score as found)."""
    k = exact_i.shape[1]
    by_id = np.mean([len(set(a[a >= 0]) & set(b[b >= 0])) / k for a, b in zip(got, exact_i)])
    scores = np.einsum("qkd,qd->qk", vectors[np.maximum(got, 0)], queries)
    scores[got < 0] = -np.inf
    return float(by_id), float(np.mean(scores >= exact_s[:, -1:] - TIE))
