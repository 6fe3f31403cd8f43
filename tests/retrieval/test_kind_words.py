"""Kind words ("学徒", "apprenticeship") that repeat an offer-type filter are left out of the embedded query: the table
of what is stripped, and with the real model, that 电焊工学徒 then finds the welding apprenticeship, not 电工学徒."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import KNOWLEDGE_DIR
from assistant.index.build import build_index
from assistant.index.embedders import E5SmallEmbedder
from assistant.index.loaded import LoadedIndex
from assistant.index.versions import IndexVersions
from assistant.ingest.offers import parse_offers
from assistant.ingest.sync import sync_source
from assistant.retrieval.search import Query, SearchService, dense_text
from assistant.store.db import make_engine, make_sessionmaker, migrate


@pytest.mark.parametrize(
    ("text", "type", "dense"),
    [
        ("焊工学徒", "apprenticeship", "焊工"),
        ("焊工学徒工", "apprenticeship", "焊工"),
        ("电工培训班", "training", "电工"),
        ("养老护理 课程", "training", "养老护理"),
        ("shop assistant apprenticeship", "apprenticeship", "shop assistant"),
        ("plumber apprentice", "apprenticeship", "plumber"),
        ("welding course", "training", "welding"),
        ("焊工学徒", None, None),  # no type chosen: the word is what tells offers apart
        ("焊工学徒", "skill", None),
        ("学徒", "apprenticeship", None),  # nothing would be left
        ("an apprenticeship", "apprenticeship", None),
        ("welder retraining", "training", None),  # "training" inside a word is not a kind word
        ("焊工", "apprenticeship", None),
    ],
)
def test_kind_words_that_repeat_the_type_are_not_embedded(text: str, type: str | None, dense: str | None) -> None:
    assert dense_text(text, type) == dense


@pytest.fixture(scope="module")
def offers_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    home = tmp_path_factory.mktemp("kind-words")
    engine = make_engine(f"sqlite:///{home / 'store.db'}")
    migrate(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        sync_source(session, parse_offers(KNOWLEDGE_DIR / "offers" / "sample-offers.jsonl"))
    versions = IndexVersions(home / "index")
    embedder = E5SmallEmbedder()
    build_index(sessions, embedder, versions)
    path = versions.current_path()
    assert path is not None
    index = LoadedIndex(path)
    yield SearchService(lambda: index, embedder, cache_size=0)
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("query", ["电焊工学徒", "氩弧焊学徒", "焊工学徒"])
def test_a_trade_apprenticeship_finds_that_trade(offers_index: SearchService, query: str) -> None:
    """With the whole text embedded, 电焊工学徒 put 电工学徒 first (e5 reads 电…工学徒 as 电工学徒)."""
    hits = offers_index.search(Query(query, type="apprenticeship", k=3))
    assert "焊" in hits[0].title, [h.title for h in hits]
