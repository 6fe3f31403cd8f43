"""The query side of CachedEmbedder: memory for every query, disk only for knowledge-base texts stored on purpose."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from assistant.index.cache import CachedEmbedder
from assistant.index.embedders import FakeEmbedder


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM vectors").fetchone()[0]


@pytest.mark.parametrize(
    ("batches", "texts_embedded"),
    [
        pytest.param([["焊接"], ["焊接"]], 1, id="repeat-from-memory"),
        pytest.param([["焊接", "电工"], ["电工", "焊接", "厨师"]], 3, id="only-the-new-one-embedded"),
        pytest.param([["a", "a", "b"]], 2, id="duplicates-in-one-batch-once"),
    ],
)
def test_queries_are_remembered_in_memory(tmp_path: Path, batches: list[list[str]], texts_embedded: int) -> None:
    fake = FakeEmbedder()  # .calls counts the texts it embedded
    cached = CachedEmbedder(fake, tmp_path / "cache.sqlite")
    direct = FakeEmbedder()
    for texts in batches:
        vectors = cached.embed_queries(texts)
        assert np.allclose(vectors, direct.embed_queries(texts))  # same vectors as without the cache, in order
    assert fake.calls == texts_embedded
    counts = cached.query_counts()
    assert counts["embedded"] == texts_embedded and counts["stored"] == 0
    assert sum(counts.values()) == sum(len(b) for b in batches)


def test_a_persons_words_never_reach_the_disk(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    cached = CachedEmbedder(FakeEmbedder(), path)
    cached.embed_queries(["我在湖州做了三年电焊工"])
    assert _rows(path) == 0
    again = CachedEmbedder(FakeEmbedder(), path)  # a new process
    assert again.stored_queries(["我在湖州做了三年电焊工"]) == set()


def test_stored_knowledge_base_queries_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    first = CachedEmbedder(FakeEmbedder(), path)
    assert first.store_queries(["焊工", "welder", "焊工"]) == 2
    assert first.store_queries(["焊工"]) == 0  # already there: nothing embedded
    fake = FakeEmbedder()
    second = CachedEmbedder(fake, path)
    vectors = second.embed_queries(["welder", "焊工"])
    assert fake.calls == 0  # read from disk
    assert second.query_counts() == {"memory": 0, "stored": 2, "embedded": 0}
    assert np.allclose(vectors, FakeEmbedder().embed_queries(["welder", "焊工"]))
    # Query vectors are not passage vectors: the passage side of the same text is still embedded.
    second.embed_passages(["焊工"])
    assert fake.calls == 1
    second.embed_queries(["welder", "电工"])
    assert second.query_counts() == {"memory": 1, "stored": 2, "embedded": 1}


def test_memory_is_bounded(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    cached = CachedEmbedder(fake, tmp_path / "cache.sqlite", memory_queries=2)
    cached.embed_queries(["a"])
    cached.embed_queries(["b"])
    cached.embed_queries(["c"])  # evicts "a", the least recently used
    cached.embed_queries(["b"])
    assert fake.calls == 3
    cached.embed_queries(["a"])
    assert fake.calls == 4


def test_bulk_knowledge_base_queries_go_to_disk_not_to_memory(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    fake = FakeEmbedder()
    cached = CachedEmbedder(fake, path)
    texts = ["weld metal", "read drawings", "weld metal"]
    vectors = cached.embed_queries_bulk(texts)
    assert np.allclose(vectors, FakeEmbedder().embed_queries(texts))  # in order, duplicates included
    assert fake.calls == 2 and _rows(path) == 2
    assert cached.query_counts()["memory"] == 0 and cached.embed_queries_bulk([]).shape == (0, fake.dim)
    cached.embed_queries_bulk(["read drawings"])
    assert fake.calls == 2  # read back from disk
