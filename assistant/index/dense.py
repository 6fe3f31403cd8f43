"""Dense index: FAISS inner product over L2-normalised float32 vectors (cosine), exact or IVF, with masks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

INDEX_FILE = "dense.faiss"
# Above `approximate_above` rows the index is IVF-Flat: k-means splits the rows into about 8·√n lists (a power of
# two) and a search scores every row of the lists whose centroids are nearest the query: a fifth of the lists, and
# at least 200·√n rows' worth (smaller indexes need a larger share: 223k rows, 2048 lists: a fifth of them finds
# 0.92 of the top 10, 0.3 finds 0.96; the scan stays cheap there).
# Chosen on 1M synthetic offers (2M rows, benchmarks/scale_offers.py): HNSW (M 32, efConstruction 80) took ~4x
# longer to build and its recall@10 stalled near 0.6 however large efSearch was, the rows being many near-duplicates
# (the same course in many cities); IVF's recall rises steadily with the lists scanned (4096 lists: 1/8 → 0.95,
# 1/6 → 0.96, 1/4 → 0.99).
IVF_LISTS_PER_ROOT = 8
IVF_MAX_LISTS = 4096  # more lists cost more to train (k-means time grows with lists²) for little gain in speed
IVF_TRAIN_PER_LIST = 40  # k-means sample: FAISS warns below 39 points per centroid
IVF_ITERATIONS = 10  # k-means rounds; FAISS's default 25 triples the training time for no measurable recall
NPROBE_SHARE = 0.2
SCANNED_PER_ROOT = 200
# A mask keeping less than this share of the rows is searched exactly: the probed lists would hold too few allowed
# rows to fill k (and for HNSW, the graph walk meets too few), while the scan skips disallowed rows unscored.
EXACT_BELOW_FRACTION = 0.1


def ivf_lists(rows: int) -> int:
    """Lists for an IVF index over this many rows: the power of two at or below 8·√rows, at least 1."""
    target = max(1, min(IVF_MAX_LISTS, int(IVF_LISTS_PER_ROOT * rows**0.5)))
    return 1 << (target.bit_length() - 1)


def ivf_nprobe(rows: int, lists: int) -> int:
    """Lists a search scans: a fifth of them, or enough for SCANNED_PER_ROOT·√rows rows if that is more."""
    share = max(NPROBE_SHARE, SCANNED_PER_ROOT / max(rows, 1) ** 0.5)
    return max(1, min(lists, round(share * lists)))


class DenseIndex:
    """Rows are numbered by their position in the vectors given to build(); search returns those numbers.

    Vectors are expected L2-normalised (the embedders do it), so inner product is cosine similarity.
    """

    def __init__(self, index: Any, kind: str, ef_search: int = 0, nprobe: int = 0) -> None:
        self._index = index
        # "flat" (exact), "ivf" (approximate), or "hnsw" (approximate; built by versions before IVF, still served)
        self.kind = kind
        self.dim = int(index.d)
        self.ef_search = ef_search  # the HNSW graph's efSearch; 0 otherwise
        self.nprobe = nprobe  # IVF lists scanned per query; 0 otherwise
        self.lists = int(index.nlist) if kind == "ivf" else 0

    @classmethod
    def build(
        cls, vectors: np.ndarray, *, approximate_above: int = 50_000, lists: int | None = None,
        nprobe: int | None = None,
    ) -> "DenseIndex":
        """Exact IndexFlatIP up to approximate_above rows, IndexIVFFlat above (lists and nprobe as chosen by
        ivf_lists() and NPROBE_SHARE unless given)."""
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[1] < 1:
            raise ValueError(f"vectors must be a 2-D array (rows, dim) with dim >= 1, got shape {vectors.shape}")
        if (lists is not None and lists < 1) or (nprobe is not None and nprobe < 1):
            raise ValueError(f"lists and nprobe must be at least 1, got {lists} and {nprobe}")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        # In slices: a mask of the whole array would be another 0.8 GB at 2M rows.
        if not all(np.isfinite(vectors[i : i + 65536]).all() for i in range(0, len(vectors), 65536)):
            raise ValueError("vectors contain NaN or infinite values")
        import faiss  # imported here: nothing loads at import time

        n, dim = vectors.shape
        if n <= approximate_above:
            index = faiss.IndexFlatIP(dim)
            if n:
                index.add(vectors)
            return cls(index, "flat")
        lists = min(lists or ivf_lists(n), n)
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = IVF_ITERATIONS
        index.cp.seed = 1234  # FAISS's default, stated: the same vectors give the same lists
        # A fixed sample, in row order: the build is repeatable, and k-means time stays bounded at any size.
        take = min(n, IVF_TRAIN_PER_LIST * lists)
        sample = vectors if take == n else vectors[np.sort(np.random.default_rng(0).choice(n, take, replace=False))]
        index.train(sample)
        index.add(vectors)
        index.nprobe = min(lists, nprobe or ivf_nprobe(n, lists))  # saved with the index
        return cls(index, "ivf", nprobe=int(index.nprobe))

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
        indexes and, under IVF or HNSW, for masks keeping under EXACT_BELOW_FRACTION of the rows.
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
                exact = count < EXACT_BELOW_FRACTION * len(mask)
                if self.kind == "ivf":
                    # Every list, when exact: the scan tests the bitmap before scoring a row, so it costs about
                    # a pass over the ids plus the allowed rows' scores.
                    params = faiss.SearchParametersIVF(nprobe=self.lists if exact else self.nprobe, sel=selector)
                elif self.kind == "hnsw" and not exact:
                    params = faiss.SearchParametersHNSW(efSearch=self.ef_search, sel=selector)
                else:
                    if self.kind == "hnsw":
                        index = faiss.downcast_index(self._index.storage)  # the flat store under the graph
                    params = faiss.SearchParameters(sel=selector)
        if params is None and self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=self.ef_search)
        elif params is None and self.kind == "ivf":
            params = faiss.SearchParametersIVF(nprobe=self.nprobe)
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
        # build reports as such, instead of a C++ RuntimeError with the reason buried in its text. Streamed in
        # pieces rather than serialize_index()d: that made a second copy in memory (3 GB at 1M offers).
        with open(folder / INDEX_FILE, "wb") as fh:
            faiss.write_index(self._index, faiss.PyCallbackIOWriter(fh.write))
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
        if isinstance(index, faiss.IndexIVFFlat):
            return cls(index, "ivf", nprobe=int(index.nprobe))
        if isinstance(index, faiss.IndexHNSWFlat):
            return cls(index, "hnsw", ef_search=int(index.hnsw.efSearch))
        if isinstance(index, faiss.IndexFlat):
            return cls(index, "flat")
        raise ValueError(f"{path}: unexpected index type {type(index).__name__} (expected flat, IVF or HNSW)")


def _padding(rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((rows, k), -1, np.int64), np.full((rows, k), -np.inf, np.float32)
