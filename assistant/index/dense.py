"""Dense index: FAISS inner product over L2-normalised float32 vectors (cosine), exact or HNSW, with masks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

INDEX_FILE = "dense.faiss"
EF_CONSTRUCTION = 80
# Under an HNSW index, a mask keeping less than this share of the rows is searched exactly over the stored
# vectors: the graph walk meets too few allowed rows to fill k, while a scan of a tenth of the rows is cheap.
EXACT_BELOW_FRACTION = 0.1


class DenseIndex:
    """Rows are numbered by their position in the vectors given to build(); search returns those numbers.

    Vectors are expected L2-normalised (the embedders do it), so inner product is cosine similarity.
    """

    def __init__(self, index: Any, kind: str, ef_search: int) -> None:
        self._index = index
        self.kind = kind  # "flat" (exact) or "hnsw" (approximate)
        self.dim = int(index.d)
        self.ef_search = ef_search  # the graph's efSearch; 0 for flat

    @classmethod
    def build(
        cls, vectors: np.ndarray, *, hnsw_above: int = 50_000, hnsw_m: int = 32, ef_search: int = 128
    ) -> "DenseIndex":
        """Exact IndexFlatIP up to hnsw_above rows, IndexHNSWFlat (M = hnsw_m, efConstruction 80) above."""
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[1] < 1:
            raise ValueError(f"vectors must be a 2-D array (rows, dim) with dim >= 1, got shape {vectors.shape}")
        if hnsw_m < 2 or ef_search < 1:
            raise ValueError(f"hnsw_m must be at least 2 and ef_search at least 1, got {hnsw_m} and {ef_search}")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not np.isfinite(vectors).all():
            raise ValueError("vectors contain NaN or infinite values")
        import faiss  # imported here: nothing loads at import time

        n, dim = vectors.shape
        if n > hnsw_above:
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = EF_CONSTRUCTION
            index.hnsw.efSearch = ef_search  # also saved with the index
            kind = "hnsw"
        else:
            index = faiss.IndexFlatIP(dim)
            kind, ef_search = "flat", 0
        if n:
            index.add(vectors)
        return cls(index, kind, ef_search)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def _check_mask(self, allowed: np.ndarray) -> np.ndarray:
        mask = np.asarray(allowed)
        if mask.dtype != np.bool_ or mask.shape != (len(self),):
            raise ValueError(
                f"allowed must be a boolean mask of {len(self)} rows, got shape {mask.shape} and dtype {mask.dtype}"
            )
        return mask

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(ids (q, k) int64, scores (q, k) float32), best first; -1 ids and -inf scores pad short rows.

        With `allowed`, only rows whose mask entry is True can be returned; the filter runs inside the FAISS
        search (an ID selector) rather than on its output, so a selective mask still fills k. Exact for flat
        indexes and, under HNSW, for masks keeping under EXACT_BELOW_FRACTION of the rows.
        """
        queries = np.asarray(queries)
        if queries.ndim != 2:
            raise ValueError(f"queries must be a 2-D array (queries, {self.dim}), got shape {queries.shape}")
        if queries.shape[1] != self.dim:
            raise ValueError(f"queries have dimension {queries.shape[1]}, the index has dimension {self.dim}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        mask = None if allowed is None else self._check_mask(allowed)
        if len(queries) == 0 or (mask is not None and not mask.any()):
            return _padding(len(queries), k)
        import faiss

        index, params = self._index, None
        if mask is not None:
            count = int(mask.sum())
            if count < len(mask):
                # The selector reads bits 0..n-1 of this array, little-endian within each byte.
                selector = faiss.IDSelectorBitmap(np.packbits(mask, bitorder="little"))
                if self.kind == "hnsw" and count >= EXACT_BELOW_FRACTION * len(mask):
                    params = faiss.SearchParametersHNSW(efSearch=self.ef_search, sel=selector)
                else:
                    if self.kind == "hnsw":
                        index = faiss.downcast_index(self._index.storage)  # the flat store under the graph
                    params = faiss.SearchParameters(sel=selector)
        if params is None and self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=self.ef_search)
        scores, ids = index.search(queries, k, params=params)
        ids = ids.astype(np.int64, copy=False)
        scores = scores.astype(np.float32, copy=False)
        scores[ids < 0] = -np.inf  # FAISS pads with -FLT_MAX; -inf cannot be mistaken for a score
        return ids, scores

    def save(self, folder: Path) -> list[str]:
        """Write the index into folder (created if needed); returns the names of the files written."""
        import faiss

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        # Same bytes as faiss.write_index, but written by Python: a full disk raises OSError(ENOSPC), which the
        # build reports as such, instead of a C++ RuntimeError with the reason buried in its text.
        data = faiss.serialize_index(self._index)
        with open(folder / INDEX_FILE, "wb") as fh:
            fh.write(memoryview(data))
        return [INDEX_FILE]

    @classmethod
    def load(cls, folder: Path) -> "DenseIndex":
        import faiss

        path = Path(folder) / INDEX_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no dense index at {path}")
        index = faiss.read_index(str(path))
        if index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise ValueError(f"{path}: not an inner-product index")
        if isinstance(index, faiss.IndexHNSWFlat):
            return cls(index, "hnsw", int(index.hnsw.efSearch))
        if isinstance(index, faiss.IndexFlat):
            return cls(index, "flat", 0)
        raise ValueError(f"{path}: unexpected index type {type(index).__name__} (expected flat or HNSW)")


def _padding(rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((rows, k), -1, np.int64), np.full((rows, k), -np.inf, np.float32)
