"""Dense index: flat and HNSW find the exact neighbours, masks filter inside the search, padding, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index.dense import INDEX_FILE, DenseIndex

DIM = 16


def _unit(rows: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


VECTORS = _unit(200, 0)
QUERIES = _unit(8, 1)


def _exact(k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    scores = QUERIES @ VECTORS.T
    if allowed is not None:
        scores[:, ~allowed] = -np.inf
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


@pytest.fixture(scope="module", params=["flat", "hnsw"])
def index(request: pytest.FixtureRequest) -> DenseIndex:
    # hnsw_above=10 forces HNSW on this small set.
    return DenseIndex.build(VECTORS, hnsw_above=1000 if request.param == "flat" else 10)


def test_kind_and_size(index: DenseIndex) -> None:
    assert index.kind in ("flat", "hnsw") and index.dim == DIM and len(index) == 200
    assert index.ef_search == (128 if index.kind == "hnsw" else 0)


@pytest.mark.parametrize("k", [1, 5, 10])
def test_exact_nearest_neighbours(index: DenseIndex, k: int) -> None:
    ids, scores = index.search(QUERIES, k)
    assert ids.shape == scores.shape == (8, k) and ids.dtype == np.int64 and scores.dtype == np.float32
    assert np.array_equal(ids, _exact(k))
    assert np.allclose(scores, np.take_along_axis(QUERIES @ VECTORS.T, ids, axis=1), atol=1e-5)


# Every third row keeps a third of them (the HNSW graph search with a selector); rows < 10 keep 5%, which
# HNSW answers with an exact scan of the stored vectors.
MASKS = {"every third": np.arange(200) % 3 == 0, "first ten": np.arange(200) < 10, "all": np.ones(200, bool)}


@pytest.mark.parametrize("name", list(MASKS))
def test_mask_filters_inside_the_search(index: DenseIndex, name: str) -> None:
    allowed = MASKS[name]
    ids, _ = index.search(QUERIES, 5, allowed=allowed)
    assert allowed[ids].all()
    assert np.array_equal(ids, _exact(5, allowed))


@pytest.mark.parametrize("allowed_rows", [[7], [3, 150, 199], []])
def test_padding_when_k_exceeds_the_allowed_rows(index: DenseIndex, allowed_rows: list[int]) -> None:
    allowed = np.zeros(200, bool)
    allowed[allowed_rows] = True
    ids, scores = index.search(QUERIES[:2], 5, allowed=allowed)
    n = len(allowed_rows)
    assert ids.shape == (2, 5)
    assert (ids[:, n:] == -1).all() and np.isneginf(scores[:, n:]).all()
    assert all(set(row[:n].tolist()) == set(allowed_rows) for row in ids)


def test_padding_past_the_index_and_empty_cases() -> None:
    small = DenseIndex.build(VECTORS[:3])
    ids, scores = small.search(QUERIES[:1], 5)
    assert sorted(ids[0, :3].tolist()) == [0, 1, 2] and (ids[0, 3:] == -1).all() and np.isneginf(scores[0, 3:]).all()
    empty = DenseIndex.build(np.zeros((0, DIM), np.float32))
    assert len(empty) == 0 and (empty.search(QUERIES[:1], 2)[0] == -1).all()
    ids, scores = small.search(np.zeros((0, DIM), np.float32), 4)
    assert ids.shape == scores.shape == (0, 4)


def test_save_load_round_trip(index: DenseIndex, tmp_path: Path) -> None:
    assert index.save(tmp_path) == [INDEX_FILE] and (tmp_path / INDEX_FILE).is_file()
    loaded = DenseIndex.load(tmp_path)
    assert (loaded.kind, loaded.dim, len(loaded), loaded.ef_search) == (index.kind, DIM, 200, index.ef_search)
    for allowed in (None, MASKS["every third"]):
        for got, want in zip(loaded.search(QUERIES, 7, allowed), index.search(QUERIES, 7, allowed)):
            assert np.array_equal(got, want)


@pytest.mark.parametrize(
    ("queries", "k", "allowed", "message"),
    [
        (np.zeros((2, 8)), 3, None, r"^queries have dimension 8, the index has dimension 16$"),
        (np.zeros(DIM), 3, None, r"^queries must be a 2-D array \(queries, 16\), got shape \(16,\)$"),
        (QUERIES, 0, None, r"^k must be at least 1, got 0$"),
        (QUERIES, 3, np.ones(10, bool), r"^allowed must be a boolean mask of 200 rows, got shape \(10,\) and dtype bool$"),
        (QUERIES, 3, np.ones(200), r"^allowed must be a boolean mask of 200 rows, got shape \(200,\) and dtype float64$"),
    ],
)
def test_search_rejects_bad_input(
    index: DenseIndex, queries: np.ndarray, k: int, allowed: np.ndarray | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        index.search(queries, k, allowed)


@pytest.mark.parametrize(
    ("vectors", "kwargs", "message"),
    [
        (np.zeros(DIM), {}, r"^vectors must be a 2-D array \(rows, dim\) with dim >= 1, got shape \(16,\)$"),
        (np.zeros((3, 0)), {}, r"^vectors must be a 2-D array \(rows, dim\) with dim >= 1, got shape \(3, 0\)$"),
        (np.full((2, DIM), np.nan), {}, r"^vectors contain NaN or infinite values$"),
        (VECTORS, {"ef_search": 0}, r"^hnsw_m must be at least 2 and ef_search at least 1, got 32 and 0$"),
    ],
)
def test_build_rejects_bad_input(vectors: np.ndarray, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DenseIndex.build(vectors, **kwargs)


def test_load_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"^no dense index at .*dense\.faiss$"):
        DenseIndex.load(tmp_path)
