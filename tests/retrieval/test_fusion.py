"""Reciprocal-rank fusion: weights and ranks, one unit per document, deterministic order, 0..1 scaling."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.fusion import RRF_K, Ranked, best_per_doc, normalised, rrf, top


@pytest.mark.parametrize(
    ("lists", "k", "expected"),
    [
        pytest.param([], 10, {}, id="no-lists"),
        pytest.param([Ranked("a", 1.0, [7])], 10, {7: 1 / 11}, id="one-doc"),
        pytest.param(
            [Ranked("a", 1.0, [3, 1, 2]), Ranked("b", 0.5, [1, 4])],
            1,
            # doc 3: 1/(1+1); doc 1: 1/(1+2) + 0.5/(1+1); doc 2: 1/(1+3); doc 4: 0.5/(1+2)
            {3: 0.5, 1: 1 / 3 + 0.25, 2: 0.25, 4: 0.5 / 3},
            id="k=1-two-weighted-lists",
        ),
        pytest.param(
            [Ranked("dense", 1.0, [5, 6]), Ranked("lexical", 0.7, [6, 5])],
            RRF_K,
            {5: 1 / 11 + 0.7 / 12, 6: 1 / 12 + 0.7 / 11},
            id="default-k-crossed-ranks",
        ),
        pytest.param([Ranked("zero", 0.0, [1, 2])], 10, {1: 0.0, 2: 0.0}, id="zero-weight-still-lists-docs"),
    ],
)
def test_rrf(lists: list[Ranked], k: int, expected: dict[int, float]) -> None:
    fused = rrf(lists, k=k)
    assert fused.keys() == expected.keys()
    for doc, score in expected.items():
        assert fused[doc] == pytest.approx(score), f"doc {doc}"


def test_rrf_defaults_to_the_tuned_constant() -> None:
    assert rrf([Ranked("a", 2.0, [0, 8])]) == {0: pytest.approx(2.0 / (RRF_K + 1)), 8: pytest.approx(2.0 / (RRF_K + 2))}


@pytest.mark.parametrize(
    ("units", "scores", "unit_doc", "docs", "best"),
    [
        pytest.param([], [], [0, 0], [], [], id="empty"),
        pytest.param([5, 2, 7, 3], [0.9, 0.8, 0.7, 0.6], [9, 9, 0, 2, 9, 1, 9, 1],
                     [1, 0, 2], [0.9, 0.8, 0.6], id="second-unit-of-doc-1-dropped"),
        pytest.param([0, 1, 2], [3.0, 2.0, 1.0], [4, 4, 4], [4], [3.0], id="all-units-one-doc"),
    ],
)
def test_best_per_doc_keeps_the_first_unit_of_each_doc(
    units: list[int], scores: list[float], unit_doc: list[int], docs: list[int], best: list[float]
) -> None:
    got_docs, got_best = best_per_doc(np.array(units, np.int64), np.array(scores, np.float32),
                                      np.array(unit_doc, np.int64))
    assert (got_docs, got_best) == (docs, pytest.approx(best))
    assert all(type(d) is int for d in got_docs) and all(type(s) is float for s in got_best)


@pytest.mark.parametrize(
    ("fused", "n", "expected"),
    [
        pytest.param({5: 0.5, 2: 0.5, 9: 0.7, 1: 0.1}, 3, [(9, 0.7), (2, 0.5), (5, 0.5)], id="tie-by-doc-order"),
        pytest.param({1: 0.1, 9: 0.7, 2: 0.5, 5: 0.5}, 3, [(9, 0.7), (2, 0.5), (5, 0.5)], id="insertion-order-ignored"),
        pytest.param({3: 0.2, 1: 0.2, 2: 0.2}, 10, [(1, 0.2), (2, 0.2), (3, 0.2)], id="all-tied-n-above-size"),
        pytest.param({3: 0.2}, 0, [], id="n=0"),
        pytest.param({}, 5, [], id="empty"),
    ],
)
def test_top(fused: dict[int, float], n: int, expected: list[tuple[int, float]]) -> None:
    assert top(fused, n) == expected


@pytest.mark.parametrize("weights", [[1.0, 0.7], [1.0, 0.4, 0.8, 0.1], [0.3]])
def test_normalised_first_place_everywhere_is_one(weights: list[float]) -> None:
    lists = [Ranked(f"s{i}", w, [42, 1, 2]) for i, w in enumerate(weights)]
    scores = normalised(rrf(lists), weights)
    assert scores[42] == pytest.approx(1.0)
    assert 0.0 < scores[2] < scores[1] < scores[42]


@pytest.mark.parametrize(
    ("fused", "weights", "k", "expected"),
    [
        # first in the dense list only: (1/11) / (1/11 + 0.7/11)
        pytest.param({0: 1 / 11}, [1.0, 0.7], 10, {0: 1 / 1.7}, id="first-in-one-of-two"),
        pytest.param({0: 0.5, 1: 0.25}, [1.0], 1, {0: 1.0, 1: 0.5}, id="k=1"),
        pytest.param({0: 0.3}, [], 10, {0: 0.3}, id="no-weights-left-as-is"),
        pytest.param({0: 0.3}, [0.0], 10, {0: 0.3}, id="zero-weights-left-as-is"),
    ],
)
def test_normalised(fused: dict[int, float], weights: list[float], k: int, expected: dict[int, float]) -> None:
    assert normalised(fused, weights, k=k) == pytest.approx(expected)
