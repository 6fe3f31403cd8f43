"""POST /api/match: the contract, Chinese and English profiles, cited results and validation errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from tests.conftest import IndexedHome

WELDING_ZH = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
OCCUPATION_KEYS = {"scheme", "code", "uri", "title", "score", "reasons", "skills_matched", "skills_missing", "tags",
                   "longer_route", "conflicts", "nearby"}
STEP_KEYS = {"step", "kind", "ref", "title", "duration"}


@pytest.fixture(scope="module")
def client(indexed_home: IndexedHome) -> Iterator[TestClient]:
    with TestClient(create_app(indexed_home.settings)) as c:
        yield c


def _match(client: TestClient, **body: Any) -> dict[str, Any]:
    res = client.post("/api/match", json=body)
    assert res.status_code == 200, res.text
    return res.json()


def test_contract_for_the_welding_sentence(client: TestClient) -> None:
    body = _match(client, text=WELDING_ZH, k=5)
    assert set(body) >= {"profile", "occupations", "apprenticeships", "training", "pathway"}
    profile = body["profile"]
    assert profile["language"] == "zh"
    assert profile["constraints"]["location"] == "湖州市" and profile["constraints"]["wants_paid"] is True
    assert [e["what"] for e in profile["experience"]] == ["电焊"] and profile["experience"][0]["years"] == 3.0
    assert {s["evidence"] for s in profile["skills"]} >= {"电焊", "看图纸"}
    assert 1 <= len(body["occupations"]) <= 5
    for occ in body["occupations"]:
        assert OCCUPATION_KEYS <= set(occ), occ
        assert occ["source"]["name"], occ  # every occupation cites its taxonomy release
        assert occ["reasons"] and all(r["kind"] in {"goal", "experience", "related", "skills"} for r in occ["reasons"])
    # With the fake embedder the ranking itself means little (tests/dialogue/test_acceptance.py uses e5);
    # here: Chinese profile → CSCO occupations, each with its requirements split into present and missing.
    assert all(o["scheme"] == "csco2022" for o in body["occupations"])
    assert all(o["skills_matched"] or o["skills_missing"] for o in body["occupations"])
    for a in body["apprenticeships"]:
        assert a["kind"] == "apprenticeship" and a["city"] in ("湖州市", "Huzhou") and a["source"]["name"], a
        assert a["sample"] is True and a["citation"] and a["quality"], a  # the bundled offers are samples
    steps = body["pathway"]
    kinds = [s["kind"] for s in steps]
    assert kinds[0] == "recognition" and kinds[-2:] == ["certificate", "occupation"], kinds
    assert all(STEP_KEYS <= set(s) and s["ref"] for s in steps), steps
    assert steps[-1]["ref"] == f"csco2022:{body['occupations'][0]['code']}"


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        ({"goal": "焊工"}, "6-18-02-04"),
        ({"skills": ["电焊"], "goal": "焊工", "location": "湖州"}, "6-18-02-04"),
        ({"text": "我当过两年保安"}, None),
    ],
)
def test_optional_fields(client: TestClient, body: dict[str, Any], expect: str | None) -> None:
    out = _match(client, **body)
    if expect:
        assert out["occupations"][0]["code"] == expect, [o["code"] for o in out["occupations"]]
    else:
        assert out["occupations"], out


def test_location_without_offers_is_said_honestly(client: TestClient) -> None:
    out = _match(client, text="我做了三年电焊，想找带薪学徒岗位", location="拉萨")
    assert out["apprenticeships"] == [] and out["training"] == []  # never filled with offers from elsewhere
    assert {"no-offer-reachable", "no-apprenticeship-nearby"} <= set(out["notes"])


def test_every_offer_is_reachable_and_leads_to_an_occupation_shown(client: TestClient) -> None:
    out = _match(client, skills=["电焊"], goal="焊工", location="湖州", k=10)
    shown = {o["code"] for o in out["occupations"][:5]}
    assert "6-18-02-04" in shown, shown
    offers = out["apprenticeships"] + out["training"]
    assert offers, out["notes"]
    for o in offers:
        assert o["city"] in ("湖州市", "Huzhou") or o["mode"] == "online", o
        assert o["mode"] in ("online", "in-person", "blended"), o
        assert o["leads_to"] in shown or o["covers"], o


def test_skills_given_as_uris_are_taken_as_they_are(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "operate welding equipment", "type": "skill", "k": 1}).json()["hits"]
    uri = hits[0]["uri"]
    out = _match(client, skills=[uri], lang="en")
    (skill,) = out["profile"]["skills"]
    assert skill["uri"] == uri and skill["confirmed"] is True and skill["origin"] == "form"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "text: give at least one of text, skills or goal"),
        ({"text": "x" * 2001}, "text: 2001 characters; the limit is 2000"),
        ({"text": "焊工", "lang": "fr"}, "lang: 'fr' is not one of zh, en"),
        ({"text": "焊工", "k": 0}, "k: 0 is out of range 1..50"),
        ({"text": "焊工", "k": "many"}, "k: "),
        ({"skills": "电焊"}, "skills: "),
    ],
)
def test_bad_requests_name_the_field(client: TestClient, body: dict[str, Any], detail: str) -> None:
    res = client.post("/api/match", json=body)
    assert res.status_code == 400, res.text
    assert res.json()["detail"].startswith(detail), res.json()


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        # Skills alone, no title and no goal: the task lines that name them propose the occupation.
        ({"skills": ["设定焊接参数", "识读焊接图纸", "检验焊缝质量"]}, "6-18-02-04"),
        ({"skills": ["焊接参数", "焊缝质量"]}, "6-18-02-04"),
        ({"skills": ["用砖砌筑砌体", "屋面挂瓦"]}, "6-29-01-01"),
    ],
)
def test_skills_alone_propose_occupations_in_chinese(client: TestClient, body: dict[str, Any], expect: str) -> None:
    out = _match(client, **body, k=5)
    codes = [o["code"] for o in out["occupations"]]
    assert expect in codes, codes
    first = out["occupations"][codes.index(expect)]
    skills = [r for r in first["reasons"] if r["kind"] == "skills"]
    assert skills and skills[0]["skills"], first["reasons"]  # explained by the task lines the skills met
    assert "no-occupation" not in out["notes"]


def test_skills_alone_propose_occupations_in_english(client: TestClient) -> None:
    # The bundled light ESCO set has no occupation-skill relations: the occupations nearest the words stand in.
    out = _match(client, skills=["weld metal parts", "read technical drawings"], lang="en", k=5)
    assert out["occupations"] and all(o["scheme"] in ("esco", "isco08") for o in out["occupations"]), out["notes"]


def test_recommended_occupations_name_nearby_ones_with_what_they_share(client: TestClient) -> None:
    out = _match(client, goal="焊工", k=3)
    welder = next(o for o in out["occupations"] if o["code"] == "6-18-02-04")
    assert 1 <= len(welder["nearby"]) <= 3
    for near in welder["nearby"]:
        assert near["code"] != "6-18-02-04" and near["shared"] and near["source"]["name"] == "csco2022", near


@pytest.mark.parametrize(
    ("text", "ruled_out"),
    [
        ("我想找份工作，不要倒班", ("shifts",)),
        ("我坐轮椅，想找份工作", ("physical",)),
    ],
)
def test_stated_limits_rule_occupations_out(client: TestClient, text: str, ruled_out: tuple[str, ...]) -> None:
    from assistant.retrieval.catalog import OccupationInfo
    from assistant.guidance.traits import traits

    out = _match(client, text=text + "，会电焊，会看图纸", k=10)
    for o in out["occupations"]:
        info = OccupationInfo(o["scheme"], o["code"], o["uri"], o["title"], "zh", "", (), (), None, (), (), {})
        assert not traits(info) & set(ruled_out), o["title"]
        assert not o["conflicts"]
