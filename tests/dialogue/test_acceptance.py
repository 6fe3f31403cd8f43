"""The issue's acceptance conversations with the real e5 model: welding in Huzhou, in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from tests.conftest import IndexedHome
from tests.helpers import converse

pytestmark = pytest.mark.slow

WELDING_ZH = "我在工厂做了三年电焊，会看图纸，想在湖州找个能拿工资的学徒岗位"
WELDING_EN = "I did welding in a factory for three years, I can read drawings, and I want a paid apprenticeship in Huzhou"
WELDING_CODES = {"6-18-02-04", "6-20-03-02", "2-02-07-09", "6-20-03-03", "6-18-03-04", "6-17-09-06"}  # 焊… in CSCO


@pytest.fixture(scope="module")
def client(copy_e5_home: IndexedHome) -> Iterator[TestClient]:
    """The bundled knowledge base indexed with e5-small (the run's shared build, copied: conversations are stored)."""
    with TestClient(create_app(copy_e5_home.settings)) as c:
        yield c


def _cards(body: dict[str, Any], *types: str) -> list[dict[str, Any]]:
    return [c for c in body["cards"] if c["type"] in types]


@pytest.mark.parametrize(
    ("turns", "lang"),
    [(["你好", "同意", WELDING_ZH, "对", "好的"], "zh"),
     (["Hello", "I agree", WELDING_EN, "yes", "yes please"], "en")],
)
def test_welding_in_huzhou(client: TestClient, turns: list[str], lang: str) -> None:
    welcome, consent, confirm, recommend, pathway = converse(client, turns)
    assert confirm["phase"] == "confirm_skills"
    skills = {c["why"] for c in _cards(confirm, "skill")}
    assert len(skills) == 2, skills
    assert recommend["phase"] == "recommendations"
    occupations = _cards(recommend, "occupation")
    top = occupations[0]
    if lang == "zh":
        assert top["code"] == "6-18-02-04" and top["title"] == "焊工", [o["title"] for o in occupations]
        assert {o["code"] for o in occupations[:3]} <= WELDING_CODES, [o["title"] for o in occupations]
    else:
        assert top["title"] == "welder", [o["title"] for o in occupations]
        assert all("weld" in o["title"].casefold() for o in occupations[:3]), [o["title"] for o in occupations]
    assert top["skills_missing"], "the gaps are named"
    assert top["source"]["name"] in ("csco2022", "esco-lite")
    apprenticeships = _cards(recommend, "apprenticeship")
    assert apprenticeships and apprenticeships[0]["code"] == "sample-huzhou-welding-app-01", apprenticeships
    assert all(a["city"] in ("湖州市", "Huzhou") for a in apprenticeships)
    assert all(a["source"]["citation"] and a["sample"] for a in apprenticeships)
    assert "焊工企业新型学徒" in apprenticeships[0]["title"] or lang == "en"  # details in the card, the text counts them
    assert ("1个学徒岗位" if lang == "zh" else "1 apprenticeship") in recommend["reply"], recommend["reply"]
    assert pathway["phase"] == "pathway"
    steps = _cards(pathway, "step")
    assert [s["why"] for s in steps] == ["recognition", "apprenticeship", "certificate", "occupation"]
    assert steps[1]["code"].endswith("sample-huzhou-welding-app-01") and steps[1]["duration"] == "12个月"
    assert "recognition-of-prior-learning" in steps[0]["code"], steps[0]
    assert all(s["source"].get("name") for s in steps)


def test_no_apprenticeship_in_lhasa_is_said(client: TestClient) -> None:
    *_, recommend = converse(client, ["同意", "我在工厂做了三年电焊，想在拉萨找个带薪学徒岗位", "对"])
    assert recommend["phase"] == "recommendations"
    assert _cards(recommend, "apprenticeship") == []
    assert "没有" in recommend["reply"] and "12333" in recommend["reply"]
