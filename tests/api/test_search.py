"""GET /api/search: the public hit contract, filters, validation errors and the not-ready answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.store.db import make_engine, migrate
from tests.conftest import IndexedHome

CSCO_CODE = re.compile(r"^\d-\d\d-\d\d-\d\d$")
CONTRACT: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "type": str,
    "scheme": (str, type(None)),
    "code": (str, type(None)),
    "uri": (str, type(None)),
    "title": str,
    "score": (float, int),
    "snippet": str,
    "source": dict,
}
SOURCE: dict[str, type | tuple[type, ...]] = {"name": str, "version": (str, type(None)), "url": (str, type(None))}
APPRENTICESHIP_SHEETS = (r"^(ilo-quality-apprenticeships|china-new-type-enterprise-apprenticeship|"
                         r"apprenticeship-eligibility-and-pay)\.zh\.md#\d+$")


@pytest.fixture(scope="module")
def client(indexed_home: IndexedHome) -> Iterator[TestClient]:
    with TestClient(create_app(indexed_home.settings)) as c:
        yield c


def _hits(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    res = client.get("/api/search", params=params)
    assert res.status_code == 200, res.text
    body = res.json()
    assert "warnings" not in body, body["warnings"]  # the index was built from this very store
    return body["hits"]


def _check_contract(hit: dict[str, Any]) -> None:
    """Every hit carries the contract keys with their types, cites its source, and scores within 0..1."""
    for key, kind in CONTRACT.items():
        assert key in hit, f"{hit.get('id')}: no '{key}'"
        assert isinstance(hit[key], kind) and not isinstance(hit[key], bool), f"{hit['id']}: {key}={hit[key]!r}"
    for key, kind in SOURCE.items():
        assert isinstance(hit["source"].get(key, ...), kind), f"{hit['id']}: source.{key}={hit['source']!r}"
    assert hit["source"]["name"], f"{hit['id']}: no source name"
    assert hit["id"] and hit["title"], hit
    assert 0.0 <= hit["score"] <= 1.0, f"{hit['id']}: score {hit['score']}"
    if hit["scheme"] == "csco2022":
        assert CSCO_CODE.match(hit["code"] or ""), f"{hit['id']}: CSCO code {hit['code']!r}"
    if hit["scheme"] == "esco":
        assert (hit["uri"] or "").startswith("http"), f"{hit['id']}: ESCO uri {hit['uri']!r}"


# Five types × a Chinese and an English query. `expect` holds regexes that some hit among the first `within`
# must match, field by field (one hit matches them all). The fake embedder is a hashed bag of words, so every
# query shares words with its target; ESCO-lite skills are English only, so the Chinese skill query names a tool.
@pytest.mark.parametrize(
    ("params", "within", "expect"),
    [
        pytest.param({"q": "焊工", "type": "occupation", "scheme": "csco2022"}, 1, {"title": "焊", "code": CSCO_CODE.pattern},
                     id="occupation-zh"),
        pytest.param({"q": "welder", "type": "occupation", "lang": "en"}, 1,
                     {"title": "(?i)weld", "scheme": "^esco$", "uri": "^http"}, id="occupation-en"),
        pytest.param({"q": "Python编程", "type": "skill"}, 10, {"title": r"^Python\b", "uri": "^http"}, id="skill-zh"),
        # The fake embedder's half of the fusion is noise: the lexical half brings a welding skill into the five.
        pytest.param({"q": "welding", "type": "skill", "lang": "en", "k": 5}, 5, {"title": "(?i)welding"},
                     id="skill-en"),
        pytest.param({"q": "焊接", "type": "apprenticeship"}, 1,
                     {"code": "^sample-huzhou-welding-", "location": "湖州", "title": "焊"}, id="apprenticeship-zh"),
        pytest.param({"q": "welding", "type": "apprenticeship", "lang": "en", "k": 3}, 1,
                     {"title": "(?i)welding apprenticeship", "language": "^en$"}, id="apprenticeship-en"),
        pytest.param({"q": "直播销售", "type": "training", "k": 5}, 1, {"title": "直播销售", "location": "湖州"},
                     id="training-zh"),
        pytest.param({"q": "elderly care", "type": "training", "lang": "en"}, 1, {"title": "(?i)^elderly care"},
                     id="training-en"),
        pytest.param({"q": "学徒", "type": "policy", "lang": "zh"}, 1,
                     {"code": APPRENTICESHIP_SHEETS, "language": "^zh$", "snippet": "学徒"}, id="policy-zh"),
        pytest.param({"q": "recognition of prior learning", "type": "policy", "lang": "en", "k": 4}, 1,
                     {"code": r"^recognition-of-prior-learning\.en\.md#\d+$", "title": "Recognition of prior learning"},
                     id="policy-en"),
    ],
)
def test_search_by_type(client: TestClient, params: dict[str, Any], within: int, expect: dict[str, str]) -> None:
    hits = _hits(client, **params)
    k = params.get("k", 10)
    assert 1 <= len(hits) <= k
    for hit in hits:
        _check_contract(hit)
        assert hit["type"] == params["type"], hit["id"]
        if "lang" in params:
            assert hit["language"] == params["lang"], hit["id"]
        if hit["type"] == "policy":  # cited as "document — section", the document named once
            assert hit["source"]["name"].startswith("skillpath:"), hit["source"]
            assert hit["title"].count(hit["title"].split(" — ")[0]) == 1, hit["title"]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    matching = [h for h in hits[:within] if all(re.search(rx, str(h.get(f) or "")) for f, rx in expect.items())]
    assert matching, f"no hit among the first {within} matches {expect}: {[(h['id'], h['title']) for h in hits]}"


@pytest.mark.parametrize(
    ("params", "check"),
    [
        pytest.param({"q": "焊工", "scheme": "csco2022"}, {"scheme": "csco2022"}, id="scheme-any-type"),
        pytest.param({"q": "焊工", "type": "occupation", "scheme": "csco2022", "k": 20}, {"scheme": "csco2022"},
                     id="scheme-occupation"),
        pytest.param({"q": "welding", "lang": "en", "k": 30}, {"language": "en"}, id="lang-en-any-type"),
        pytest.param({"q": "焊接", "lang": "zh", "k": 30}, {"language": "zh"}, id="lang-zh-any-type"),
        # A place matches in Chinese or pinyin, whichever way the offer wrote it (湖州市 / Huzhou).
        pytest.param({"q": "学徒", "type": "apprenticeship", "location": "湖州"}, {"location": ("湖州", "Huzhou")},
                     id="location-zh-city"),
        pytest.param({"q": "学徒", "type": "apprenticeship", "location": "湖州市"}, {"location": ("湖州", "Huzhou")},
                     id="location-zh-full-name"),
        pytest.param({"q": "training", "type": "training", "location": "Huzhou"}, {"location": ("Huzhou", "湖州")},
                     id="location-en-city"),
        pytest.param({"q": "学徒", "location": "日照"}, {"location": ("日照", "Rizhao")},
                     id="location-any-type-keeps-offers-only"),
    ],
)
def test_filters(client: TestClient, params: dict[str, Any], check: dict[str, str | tuple[str, ...]]) -> None:
    hits = _hits(client, **params)
    assert hits, params
    for hit in hits:
        _check_contract(hit)
        for field, value in check.items():
            accepted = (value,) if isinstance(value, str) else value
            got = hit.get(field) or ""
            assert any(v in got for v in accepted), f"{hit['id']}: {field}={got!r}, wanted one of {accepted!r}"


@pytest.mark.parametrize("location", ["湖州", "湖州市", "Huzhou", "huzhou"])
def test_location_filter_returns_the_offers_in_that_city_in_both_languages(client: TestClient, location: str) -> None:
    hits = _hits(client, q="学徒", type="apprenticeship", location=location, k=100)
    ids = {h["code"] for h in hits}
    assert {"sample-huzhou-welding-app-01", "sample-huzhou-robot-app-02", "sample-huzhou-eldercare-app-07"} <= ids
    assert all(i.startswith("sample-huzhou-") for i in ids), ids
    assert {h["language"] for h in hits} == {"zh", "en"}  # Chinese and English offers alike


def test_location_does_not_filter_occupations(client: TestClient) -> None:
    """Occupations have no place: a location narrows offers only."""
    with_place = _hits(client, q="焊工", type="occupation", scheme="csco2022", location="湖州", k=5)
    without = _hits(client, q="焊工", type="occupation", scheme="csco2022", k=5)
    assert [h["id"] for h in with_place] == [h["id"] for h in without] != []


@pytest.mark.parametrize(("k", "expected"), [(None, 10), (1, 1), (3, 3), (100, 100)])
def test_k_sets_the_number_of_hits(client: TestClient, k: int | None, expected: int) -> None:
    params = {"q": "焊工"} | ({"k": k} if k is not None else {})
    assert len(_hits(client, **params)) == expected  # 焊工 matches far more than 100 documents


def test_results_are_deterministic(client: TestClient) -> None:
    first = _hits(client, q="焊接", k=20)
    assert _hits(client, q="焊接", k=20) == first


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        pytest.param({"q": ""}, "q: the query is empty", id="empty-q"),
        pytest.param({}, "q: the query is empty", id="no-q"),
        pytest.param({"q": "   "}, "q: the query is empty", id="blank-q"),
        pytest.param({"q": "焊" * 501}, "q: the query has 501 characters; the limit is 500", id="q-501-chars"),
        pytest.param({"q": "焊工", "type": "job"},
                     "type: 'job' is not one of occupation, skill, apprenticeship, training, policy", id="type-job"),
        pytest.param({"q": "焊工", "k": 0}, "k: 0 is out of range 1..100", id="k-0"),
        pytest.param({"q": "焊工", "k": 101}, "k: 101 is out of range 1..100", id="k-101"),
        pytest.param({"q": "焊工", "k": -5}, "k: -5 is out of range 1..100", id="k-negative"),
        pytest.param({"q": "焊工", "k": "abc"}, "k: Input should be a valid integer, unable to parse string as an integer",
                     id="k-not-a-number"),
        pytest.param({"q": "焊工", "lang": "fr"}, "lang: 'fr' is not in the index (it has: en, zh)", id="lang-unknown"),
        pytest.param({"q": "焊工", "scheme": "nope"},
                     "scheme: 'nope' is not in the index (it has: csco2022, esco, isco08, skillpath:policy, "
                     "skillpath:sample-offers)", id="scheme-unknown"),
    ],
)
def test_bad_queries_are_400_naming_the_parameter(client: TestClient, params: dict[str, Any], detail: str) -> None:
    res = client.get("/api/search", params=params)
    assert res.status_code == 400, res.text
    assert res.json() == {"error": "QueryError", "detail": detail}


def test_q_of_500_chars_is_accepted(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "焊" * 500, "k": 1}).status_code == 200


def test_no_index_is_503_telling_to_build_one(tmp_path: Path) -> None:
    settings = Settings.from_env({"SKILLPATH_HOME": str(tmp_path), "SKILLPATH_EMBEDDER": "fake"})
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        res = client.get("/api/search", params={"q": "焊工"})
        bad = client.get("/api/search", params={"q": "焊工", "k": 0})
    assert res.status_code == 503, res.text
    body = res.json()
    assert body["error"] == "IndexNotReadyError"
    assert "run `skillpath index`" in body["detail"], body
    assert bad.status_code == 400  # a bad request is still the caller's to fix, index or not

