"""Occupation normaliser with the real multilingual model: job-ad noise, CSCO in Chinese, ESCO in English, both ways."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.index.build import build_index
from assistant.index.embedders import E5SmallEmbedder
from assistant.index.loaded import LoadedIndex
from assistant.index.versions import IndexVersions
from assistant.ingest.csco import parse_csco
from assistant.ingest.esco_lite import parse_esco_lite
from assistant.ingest.sync import sync_source
from assistant.retrieval.normalise import normalise_occupation
from assistant.store.db import make_engine, make_sessionmaker, migrate

pytestmark = pytest.mark.slow

# Enough of both schemes to make the task real (welders among 300 ESCO occupations; 焊工 among 118 CSCO ones),
# small enough to embed in ~15 s.
CSCO_PREFIXES = ("6-18", "4-10", "4-01", "4-03")
ESCO_WORDS = ("weld", "hairdress", "cook", "chef", "sales")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoadedIndex, E5SmallEmbedder]]:
    home = tmp_path_factory.mktemp("normalise")
    csco, esco = parse_csco(), parse_esco_lite()
    csco.occupations[:] = [o for o in csco.occupations if (o.code or "")[:4] in CSCO_PREFIXES]
    rng = random.Random(3)
    chosen = [o for o in esco.occupations if any(w in o.title for w in ESCO_WORDS)]
    others = [o for o in esco.occupations if o not in chosen]
    esco.occupations[:] = chosen + rng.sample(others, 240)
    esco.skills[:] = []
    engine = make_engine(f"sqlite:///{home / 'store.db'}")
    migrate(engine)
    sessions = make_sessionmaker(engine)
    for bundle in (csco, esco):
        with sessions.begin() as session:
            sync_source(session, bundle)
    embedder = E5SmallEmbedder()
    versions = IndexVersions(Path(home) / "index")
    build_index(sessions, embedder, versions)
    yield LoadedIndex(versions.current_path()), embedder
    engine.dispose()


def _top(real: tuple[LoadedIndex, E5SmallEmbedder], text: str, n: int, **kw: object) -> list[tuple[str | None, str]]:
    index, embedder = real
    return [(index.docs[m.doc].scheme, index.docs[m.doc].title)
            for m in normalise_occupation(index, embedder, text, k=n, **kw)]


@pytest.mark.parametrize(
    ("query", "scheme", "expected", "within"),
    [
        # Chinese titles, Chinese scheme; job-ad noise does not get in the way.
        ("电焊工", "csco2022", "焊工", 1),
        ("电焊工 月薪8000 包吃住（湖州）", "csco2022", "焊工", 1),
        ("急招美发师 底薪5000+提成", "csco2022", "美发师", 1),
        ("饭店炒菜师傅", "csco2022", "中式烹调师", 3),
        # English titles find CSCO occupations ...
        ("welder", "csco2022", "焊工", 3),
        ("hairdresser", "csco2022", "美发师", 3),
        # ... and Chinese titles find ESCO ones.
        ("电焊工", "esco", "welder", 3),
        ("理发师", "esco", "hairdresser", 3),
        ("厨师", "esco", "cook", 5),
    ],
)
def test_titles_land_on_the_right_occupation(real, query: str, scheme: str, expected: str, within: int) -> None:
    top = _top(real, query, within, schemes=(scheme,))
    assert any(expected in title for _, title in top), f"{query!r} → {top}"
    assert {s for s, _ in top} == {scheme}


@pytest.mark.parametrize(("query", "zh", "en"), [("welder", "焊工", "welder"), ("电焊工", "焊工", "welder")])
def test_without_a_scheme_both_languages_compete(real, query: str, zh: str, en: str) -> None:
    """Per-language dense lists: e5's pull towards the query's own language does not bury the other scheme."""
    top = _top(real, query, 5)
    assert any(t == zh for s, t in top if s == "csco2022"), top
    assert any(en in t for s, t in top if s == "esco"), top


def test_free_description_finds_the_occupation(real) -> None:
    top = _top(real, "我在工厂做了三年电焊，会看图纸", 5, schemes=("csco2022",))
    assert ("csco2022", "焊工") in top, top


def test_scores_are_descending_and_bounded(real) -> None:
    index, embedder = real
    matches = normalise_occupation(index, embedder, "welder", k=10)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert all(m.ranks for m in matches)  # every match says which signals ranked it
