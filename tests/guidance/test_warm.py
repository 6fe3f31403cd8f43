"""The query warm-up: which knowledge-base texts it embeds ahead, that searches then skip the model, and that it
yields to requests, stops on shutdown and runs in one process of several."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.retrieval.catalog import Catalog
from assistant.guidance.matching import infer_query
from assistant.guidance.offers import offer_query
from assistant.guidance.service import GuidanceService, make_guidance
from assistant.guidance.warm import QueryWarmer, known_queries, search_vocabulary, texts_to_embed
from assistant.index.cache import CachedEmbedder
from assistant.index.embedders import FakeEmbedder
from assistant.retrieval.crosslingual import vocabulary_terms
from assistant.retrieval.runtime import make_retrieval
from assistant.retrieval.search import Query
from assistant.store.db import make_engine, make_sessionmaker
from tests.conftest import IndexedHome


@pytest.fixture
def guidance(indexed_home: IndexedHome, tmp_path: Path) -> Iterator[GuidanceService]:
    engine = make_engine(indexed_home.settings.database_url)
    sessions = make_sessionmaker(engine)
    embedder = CachedEmbedder(FakeEmbedder(), tmp_path / "cache.sqlite")
    service = make_guidance(make_retrieval(indexed_home.settings, sessions, embedder=embedder), sessions,
                            warm_lock=tmp_path / "warm.lock")
    yield service
    if service.warmer is not None:
        service.warmer.stop()
    engine.dispose()


def _fake(service: GuidanceService) -> FakeEmbedder:
    return service.retrieval.embedder.inner  # type: ignore[attr-defined,no-any-return]


@pytest.mark.slow
def test_known_queries_cover_offers_policy_and_inferred_skills(guidance: GuidanceService) -> None:
    catalog: Catalog = guidance.catalog.get()
    queries = known_queries(catalog)
    occupations = list(catalog.occupations.values())
    for info in occupations[:50]:
        assert offer_query(info.title, "training") in queries and offer_query(info.title, "apprenticeship") in queries
    without_skills = [i for i in occupations if not i.essential and not catalog.tasks.get(i.key)]
    with_tasks = [i for i in occupations if catalog.tasks.get(i.key)]
    assert without_skills and with_tasks  # the default store has both kinds
    assert infer_query(without_skills[0]) in queries
    assert infer_query(with_tasks[0]) not in queries  # its tasks are its requirements: nothing to infer
    texts = texts_to_embed(guidance.retrieval.service, queries)
    assert len(texts) == len(set(texts))
    # Offers exist in both languages, so a Chinese title is also searched in English where the vocabulary knows it.
    assert "electric welder" in " ".join(texts).casefold() or "welder" in " ".join(texts).casefold()


def test_search_vocabulary_is_what_people_type_that_the_knowledge_base_names(guidance: GuidanceService) -> None:
    catalog: Catalog = guidance.catalog.get()
    queries = search_vocabulary(catalog)
    terms = vocabulary_terms()
    assert "焊工" in terms and "welder" in terms and len(terms) == len(set(terms)) > 200
    title = next(iter(catalog.occupations.values())).title
    offer = next(o for o in catalog.offers if o.get("target_skills"))
    for text in ("焊工", "welder", title, offer["title"]):
        assert Query(text, type="occupation") in queries and Query(text) in queries, text
    assert Query(offer["target_skills"][0], type="skill") in queries
    assert len(queries) == len(set(queries))


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        (Query("焊工", type="occupation"), {"焊工"}),  # occupation searches normalise the title first
        (Query("电焊工 招聘 月薪8000", type="occupation"), set()),  # a job ad: whatever cleaning leaves
        (Query("焊工", type="training"), {"焊工"}),
    ],
)
def test_query_texts_are_the_texts_a_search_embeds(guidance: GuidanceService, query: Query, expect: set[str]) -> None:
    service = guidance.retrieval.service
    texts = service.query_texts(query)
    assert expect <= set(texts) and len(texts) <= 2  # the text, and its other-language variant if the vocabulary has one
    fake = _fake(guidance)
    guidance.retrieval.embedder.embed_queries(texts)  # type: ignore[attr-defined]
    before = fake.calls
    service.search(query)
    assert fake.calls == before  # nothing left to embed


@pytest.mark.slow
def test_after_the_warm_up_guidance_searches_skip_the_model(guidance: GuidanceService) -> None:
    warmer = guidance.warmer
    assert warmer is not None
    embedded = warmer.warm()
    assert embedded == warmer.total == warmer.done > 1000
    assert warmer.warm() == 0  # a second run (a restart) finds everything on disk
    catalog = guidance.catalog.get()
    fake = _fake(guidance)
    before = fake.calls
    for info in list(catalog.occupations.values())[::97]:
        guidance.retrieval.service.search(offer_query(info.title, "apprenticeship"))
        guidance.retrieval.service.search(offer_query(info.title, "training"))
    assert fake.calls == before
    guidance.retrieval.service.search(offer_query("一个没人写过的职业名称", "training"))
    assert fake.calls > before  # a text nobody warmed is embedded on demand


@pytest.mark.slow
def test_the_warm_up_yields_to_requests_and_stops_on_shutdown(guidance: GuidanceService) -> None:
    warmer = guidance.warmer
    assert warmer is not None
    embedder = guidance.retrieval.embedder
    embedder.last_query = time.monotonic() + 3600  # as if a request were using the model all the time
    warmer.start()
    deadline = time.monotonic() + 120
    while warmer.total == 0 and time.monotonic() < deadline:  # past reading the catalog, at the embedding loop
        time.sleep(0.1)
    time.sleep(0.5)
    assert warmer.status()["state"] == "running" and warmer.total > 0
    assert _fake(guidance).calls == 0  # it waited instead of competing
    warmer.stop()
    assert warmer.status()["state"] == "stopped"
    assert warmer.done < warmer.total


def test_only_one_process_warms(guidance: GuidanceService, tmp_path: Path) -> None:
    warmer = guidance.warmer
    assert warmer is not None
    guidance.retrieval.embedder.last_query = time.monotonic() + 3600  # keep the first one busy waiting
    warmer.start()
    time.sleep(0.3)
    other = QueryWarmer(guidance.retrieval.embedder, guidance.retrieval.service, guidance.catalog.get,
                        tmp_path / "warm.lock")
    other.start()
    assert other.wait(5)["state"] == "elsewhere"
    warmer.stop()


def test_embedders_without_a_disk_cache_are_not_warmed(indexed_home: IndexedHome, tmp_path: Path) -> None:
    engine = make_engine(indexed_home.settings.database_url)
    sessions = make_sessionmaker(engine)
    service = make_guidance(make_retrieval(indexed_home.settings, sessions, embedder=FakeEmbedder()), sessions,
                            warm_lock=tmp_path / "warm.lock")
    assert service.warmer is not None and service.warmer.status()["state"] == "off"
    service.warmer.start()  # nothing to do, no thread
    assert service.warmer.status()["state"] == "off"
    engine.dispose()
