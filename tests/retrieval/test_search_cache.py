"""SearchService's result cache: repeated queries skip the embedder, a new index version empties it, size is bounded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

from assistant.index.embedders import FakeEmbedder
from assistant.index.loaded import LoadedIndex
from assistant.index.versions import IndexVersions
from assistant.retrieval.search import Query, SearchService
from tests.conftest import IndexedHome


@dataclass
class CountingEmbedder:
    """The fake embedder, counting query embeddings (each uncached search embeds its query once)."""

    inner: FakeEmbedder = field(default_factory=FakeEmbedder)
    queries: int = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries += len(texts)
        return self.inner.embed_queries(texts)


@dataclass
class Holder:
    """Stands in for IndexHolder.get: the test swaps the version under the service."""

    index: object

    def get(self) -> object:
        return self.index


@pytest.fixture(scope="module")
def loaded(indexed_home: IndexedHome) -> object:
    versions = IndexVersions(indexed_home.settings.index_dir)
    path = versions.current_path()
    assert path is not None
    return LoadedIndex(path)


@pytest.mark.parametrize(
    ("first", "second", "cached"),
    [
        pytest.param(Query("电焊工", type="occupation"), Query("电焊工", type="occupation"), True, id="same-query"),
        pytest.param(Query("焊接", type="skill", k=5), Query("焊接", type="skill", k=6), False, id="other-k"),
        pytest.param(Query("学徒", type="apprenticeship"), Query("学徒", type="apprenticeship", location="湖州"), False,
                     id="other-location"),
    ],
)
def test_repeated_queries_come_from_the_cache(loaded: object, first: Query, second: Query, cached: bool) -> None:
    embedder = CountingEmbedder()
    service = SearchService(Holder(loaded).get, embedder)  # type: ignore[arg-type]
    a = service.search(first)
    after_first = embedder.queries
    b = service.search(second)
    assert after_first > 0 and (embedder.queries == after_first) is cached
    if first == second:
        assert a == b and a is not b  # a fresh list each time: callers may sort or cut it


def test_new_version_and_clear_empty_the_cache(loaded: object) -> None:
    embedder = CountingEmbedder()
    holder = Holder(loaded)
    service = SearchService(holder.get, embedder)  # type: ignore[arg-type]
    q = Query("电工", type="occupation")
    service.search(q)
    once = embedder.queries
    service.search(q)
    service.clear_cache()
    service.search(q)
    assert embedder.queries == 2 * once
    holder.index = _Renamed(loaded, "another-version")
    service.search(q)
    assert embedder.queries == 3 * once


def test_cache_is_bounded(loaded: object) -> None:
    embedder = CountingEmbedder()
    service = SearchService(Holder(loaded).get, embedder, cache_size=2)  # type: ignore[arg-type]
    for text in ("电工", "焊工", "厨师"):
        service.search(Query(text, type="skill"))
    before = embedder.queries
    service.search(Query("厨师", type="skill"))  # still cached
    assert embedder.queries == before
    service.search(Query("电工", type="skill"))  # evicted by the third
    assert embedder.queries > before


class _Renamed:
    """The same index under another version id, as after a refresh."""

    def __init__(self, index: object, version: str) -> None:
        self._index = index
        self.manifest = _Manifest(version)

    def __getattr__(self, name: str) -> object:
        return getattr(self._index, name)


@dataclass(frozen=True)
class _Manifest:
    version_id: str
