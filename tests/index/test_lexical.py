"""Lexical index: BM25 ranking on a bilingual corpus, masks, empty cases, save/load round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.index.lexical import META_FILE, LexicalIndex

UNITS = [
    "电焊工：操作焊接设备，对金属工件进行焊接的人员。",  # 0
    "美发师：为顾客设计、修剪、制作发型的人员。",  # 1
    "Welder: joins metal parts with arc and gas equipment.",  # 2
    "Hairdressers cut and style hair.",  # 3
    "焊接工程技术人员：从事焊接工艺研究、设计的工程技术人员。",  # 4
    "Python开发工程师 software developer",  # 5
    "",  # 6: an empty unit never matches
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(UNITS)


@pytest.mark.parametrize(
    ("query", "first", "found"),
    [
        ("焊接", 0, {0, 4}),
        ("电焊工", 0, {0}),
        ("welding", 2, {2}),  # welding and Welder both stem to weld
        ("hair stylist", 3, {3}),
        ("美发", 1, {1}),
        ("python developers", 5, {5}),
        ("焊接 welding", 2, {0, 2, 4}),  # weld is in one unit, 焊接 in two: rarer wins
    ],
)
def test_ranking(index: LexicalIndex, query: str, first: int, found: set[int]) -> None:
    ids, scores = index.search(query, k=10)
    assert ids.dtype == np.int64 and scores.dtype == np.float32
    assert ids[0] == first and set(ids.tolist()) == found
    assert (scores > 0).all() and (np.diff(scores) <= 0).all()


@pytest.mark.parametrize("query", ["", "astronaut", "的 the and", "，。"])
def test_no_known_token_returns_empty(index: LexicalIndex, query: str) -> None:
    ids, scores = index.search(query, k=5)
    assert ids.shape == (0,) and scores.shape == (0,) and ids.dtype == np.int64 and scores.dtype == np.float32


@pytest.mark.parametrize(
    ("allowed", "k", "expected"),
    [
        (None, 1, [0]),
        ([4], 10, [4]),  # the better match 0 is masked out
        ([1, 2, 3], 10, []),  # nothing allowed mentions 焊接
        ([0, 4], 1, [0]),
    ],
)
def test_mask_and_k(index: LexicalIndex, allowed: list[int] | None, k: int, expected: list[int]) -> None:
    mask = None
    if allowed is not None:
        mask = np.zeros(len(UNITS), bool)
        mask[allowed] = True
    ids, _ = index.search("焊接", k=k, allowed=mask)
    assert ids.tolist() == expected


def test_ties_break_by_unit_id() -> None:
    index = LexicalIndex.build(["welding", "cooking", "welding", "welding"])
    assert index.search("weld", k=2)[0].tolist() == [0, 2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, r"^k must be at least 1, got 0$"),
        ({"k": 3, "allowed": np.ones(3, bool)},
         r"^allowed must be a boolean mask of 7 units, got shape \(3,\) and dtype bool$"),
        ({"k": 3, "allowed": np.ones(7, int)},
         r"^allowed must be a boolean mask of 7 units, got shape \(7,\) and dtype int64$"),
    ],
)
def test_bad_arguments(index: LexicalIndex, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        index.search("焊接", **kwargs)


@pytest.mark.parametrize("texts", [[], [""], ["", "的", "the of and"]])
def test_corpus_without_tokens(tmp_path: Path, texts: list[str]) -> None:
    index = LexicalIndex.build(texts)
    assert len(index) == len(texts) and index.search("焊接", k=3)[0].size == 0
    assert index.save(tmp_path) == [META_FILE]
    loaded = LexicalIndex.load(tmp_path)
    assert len(loaded) == len(texts) and loaded.search("焊接", k=3)[0].size == 0


@pytest.mark.parametrize("query", ["焊接", "welding", "hair", "Python开发 developer", "焊接 welding hair"])
def test_save_load_round_trip(index: LexicalIndex, tmp_path: Path, query: str) -> None:
    names = index.save(tmp_path)
    assert sorted(names) == sorted(p.name for p in tmp_path.iterdir()) and names[-1] == META_FILE
    assert not any(name.endswith((".pkl", ".pickle")) for name in names)
    loaded = LexicalIndex.load(tmp_path)
    assert len(loaded) == len(UNITS)
    for got, want in zip(loaded.search(query, k=10), index.search(query, k=10)):
        assert np.array_equal(got, want)


def test_load_refuses_another_tokenizer(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    meta = json.loads((tmp_path / META_FILE).read_text())
    (tmp_path / META_FILE).write_text(json.dumps({**meta, "tokenizer": "0+jieba-0.1"}))
    with pytest.raises(ValueError, match=r"tokenizer 0\+jieba-0\.1, this code uses 2\+jieba-.*; rebuild the index$"):
        LexicalIndex.load(tmp_path)
