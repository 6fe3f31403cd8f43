"""Learning pathway steps: recognition, apprenticeship or training, certificate, target occupation, with citations."""

from __future__ import annotations

from typing import Any, cast

import pytest

from assistant.errors import QueryError
from assistant.guidance.catalog import OccupationInfo
from assistant.guidance.matching import OccupationResult
from assistant.guidance.offers import OfferResult
from assistant.guidance.pathway import POLICY_QUERIES, TITLES, Step, build_pathway
from assistant.guidance.profile import Constraints, Experience, Profile
from assistant.retrieval.search import Hit, Query, SearchService

POLICY_SOURCE = {"name": "policy-demo", "version": "2024", "url": "https://example.org/policy"}
OFFER_SOURCE = {"name": "demo-offers", "version": "1", "url": "https://example.org/offers"}
CSCO_SOURCE = {"name": "csco2022", "version": "2022", "url": None}
WELDER = OccupationInfo("csco2022", "6-18-02-04", None, "电焊工", "zh", "", (), (), None, (), (), CSCO_SOURCE)
ESCO_WELDER = OccupationInfo("esco", None, "http://data.europa.eu/esco/occupation/welder", "welder", "en", "", (), (),
                             "7212", (), (), {"name": "esco", "version": "1.2", "url": None})
RPL = "policy:policy-demo:rpl#1"
CERT = "policy:policy-demo:cert#2"


def _hit(hit_id: str, title: str) -> Hit:
    return Hit(hit_id, "policy", None, None, None, title, 0.9, "", dict(POLICY_SOURCE), "zh", None, [], {})


class FakeSearch:
    """Policy hits keyed by query text; every query is recorded; raises QueryError when told to."""

    def __init__(self, hits: dict[str, list[Hit]] | None = None, fail: bool = False) -> None:
        self.hits = hits or {}
        self.fail = fail
        self.queries: list[Query] = []

    def search(self, query: Query) -> list[Hit]:
        self.queries.append(query)
        if self.fail:
            raise QueryError("lang: 'en' is not in the index")
        return list(self.hits.get(query.text, []))


def _policies(lang: str) -> FakeSearch:
    return FakeSearch({POLICY_QUERIES["recognition"][lang]: [_hit(RPL, "先前学习认定办法")],
                       POLICY_QUERIES["certificate"][lang]: [_hit(CERT, "职业技能等级认定")]})


def _offer(kind: str, ext: str, qualification: str | None = None) -> OfferResult:
    offer = {"id": f"{kind}:demo-offers:{ext}", "kind": kind, "title": f"{kind} {ext}", "provider": "湖州技师学院",
             "duration_text": "12个月" if kind == "apprenticeship" else "3个月", "qualification": qualification,
             "source": dict(OFFER_SOURCE), "sample": True}
    return OfferResult(offer, 1.0)


APPRENTICESHIP = _offer("apprenticeship", "a1", "焊工（四级/中级工）")
TRAINING = _offer("training", "t1")
BOTH = {"apprenticeship": [APPRENTICESHIP], "training": [TRAINING]}
EXPERIENCED = [Experience("电焊", years=3.0)]
GENERIC_ZH = TITLES["zh"]["certificate-generic"]


def _steps(steps: list[Step]) -> list[tuple[int, str, str | None, str, str | None]]:
    return [(s.step, s.kind, s.ref, s.title, s.duration) for s in steps]


@pytest.mark.parametrize(
    ("profile", "offers", "expected"),
    [
        pytest.param(Profile(experience=EXPERIENCED), BOTH, [
            (1, "recognition", RPL, "对已有技能进行评价认定（先前学习认定）", None),
            (2, "training", "training:demo-offers:t1", "training t1", "3个月"),
            (3, "certificate", CERT, GENERIC_ZH, None),
            (4, "occupation", "csco2022:6-18-02-04", "从事目标职业：电焊工", None),
        ], id="experience-training-first"),
        pytest.param(Profile(experience=EXPERIENCED, constraints=Constraints(wants_paid=True)), BOTH, [
            (1, "recognition", RPL, "对已有技能进行评价认定（先前学习认定）", None),
            (2, "apprenticeship", "apprenticeship:demo-offers:a1", "apprenticeship a1", "12个月"),
            (3, "certificate", CERT, "参加职业技能等级认定，取得焊工（四级/中级工）", None),
            (4, "occupation", "csco2022:6-18-02-04", "从事目标职业：电焊工", None),
        ], id="wants-paid-apprenticeship"),
        pytest.param(Profile(constraints=Constraints(wants_apprenticeship=True)), BOTH, [
            (1, "apprenticeship", "apprenticeship:demo-offers:a1", "apprenticeship a1", "12个月"),
            (2, "certificate", CERT, "参加职业技能等级认定，取得焊工（四级/中级工）", None),
            (3, "occupation", "csco2022:6-18-02-04", "从事目标职业：电焊工", None),
        ], id="wants-apprenticeship-no-experience"),
        pytest.param(Profile(), {"apprenticeship": [APPRENTICESHIP], "training": []}, [
            (1, "apprenticeship", "apprenticeship:demo-offers:a1", "apprenticeship a1", "12个月"),
            (2, "certificate", CERT, "参加职业技能等级认定，取得焊工（四级/中级工）", None),
            (3, "occupation", "csco2022:6-18-02-04", "从事目标职业：电焊工", None),
        ], id="apprenticeship-when-no-training"),
        pytest.param(Profile(constraints=Constraints(wants_paid=True)), {"training": [TRAINING]}, [
            (1, "training", "training:demo-offers:t1", "training t1", "3个月"),
            (2, "certificate", CERT, GENERIC_ZH, None),
            (3, "occupation", "csco2022:6-18-02-04", "从事目标职业：电焊工", None),
        ], id="training-when-no-apprenticeship"),
        pytest.param(Profile(experience=EXPERIENCED), {}, [
            (1, "recognition", RPL, "对已有技能进行评价认定（先前学习认定）", None),
            (2, "certificate", CERT, GENERIC_ZH, None),
            (3, "occupation", "csco2022:6-18-02-04", "从事目标职业：电焊工", None),
        ], id="no-offers"),
    ],
)
def test_build_pathway_zh(profile: Profile, offers: dict[str, list[OfferResult]],
                          expected: list[tuple[int, str, str | None, str, str | None]]) -> None:
    occupations = [OccupationResult(WELDER, 1.0), OccupationResult(ESCO_WELDER, 0.5)]
    steps = build_pathway(profile, occupations, offers, cast(SearchService, _policies("zh")), "zh")
    assert _steps(steps) == expected


@pytest.mark.parametrize(
    ("lang", "query_lang", "titles"),
    [
        pytest.param("en", "en", ["Have your existing skills assessed and recognised (recognition of prior learning)",
                                  "training t1", "Take the skill-level assessment for the matching vocational skill "
                                  "certificate", "Work as: welder"], id="en"),
        pytest.param("fr", "zh", ["对已有技能进行评价认定（先前学习认定）", "training t1", GENERIC_ZH, "从事目标职业：welder"],
                     id="unknown-language-falls-back-to-zh"),
    ],
)
def test_languages(lang: str, query_lang: str, titles: list[str]) -> None:
    search = _policies(query_lang)
    steps = build_pathway(Profile(experience=EXPERIENCED), [OccupationResult(ESCO_WELDER, 1.0)], BOTH,
                          cast(SearchService, search), lang)
    assert [s.title for s in steps] == titles
    assert [s.ref for s in steps] == [RPL, "training:demo-offers:t1", CERT, f"esco:{ESCO_WELDER.uri}"]
    assert search.queries == [Query(POLICY_QUERIES[kind][query_lang], type="policy", lang=query_lang, k=1)
                              for kind in ("recognition", "certificate")]


def test_english_certificate_with_qualification() -> None:
    steps = build_pathway(Profile(), [OccupationResult(ESCO_WELDER, 1.0)], {"apprenticeship": [APPRENTICESHIP]},
                          cast(SearchService, _policies("en")), "en")
    assert steps[1].title == "Take the skill-level assessment and obtain: 焊工（四级/中级工）"


def test_sources() -> None:
    steps = build_pathway(Profile(experience=EXPERIENCED), [OccupationResult(WELDER, 1.0)], BOTH,
                          cast(SearchService, _policies("zh")), "zh")
    assert [s.source for s in steps] == [
        {**POLICY_SOURCE, "document": "先前学习认定办法"},
        {**OFFER_SOURCE, "provider": "湖州技师学院", "sample": True},
        {**POLICY_SOURCE, "document": "职业技能等级认定"},
        {**CSCO_SOURCE, "code": "6-18-02-04", "uri": None},
    ]
    assert steps[0].to_dict() == {"step": 1, "kind": "recognition", "ref": RPL,
                                  "title": "对已有技能进行评价认定（先前学习认定）", "duration": None,
                                  "source": {**POLICY_SOURCE, "document": "先前学习认定办法"}}


@pytest.mark.parametrize("search", [pytest.param(FakeSearch(fail=True), id="query-error"),
                                    pytest.param(FakeSearch(), id="no-hits")])
def test_policy_missing(search: FakeSearch) -> None:
    steps = build_pathway(Profile(experience=EXPERIENCED), [OccupationResult(WELDER, 1.0)], {},
                          cast(SearchService, search), "zh")
    assert [(s.step, s.kind, s.ref, s.source) for s in steps] == [
        (1, "recognition", None, {}), (2, "certificate", None, {}),
        (3, "occupation", "csco2022:6-18-02-04", {**CSCO_SOURCE, "code": "6-18-02-04", "uri": None})]


def test_no_occupations() -> None:
    search = _policies("zh")
    assert build_pathway(Profile(experience=EXPERIENCED), [], BOTH, cast(SearchService, search), "zh") == []
    assert search.queries == []


def test_offer_fields_are_optional() -> None:
    bare: dict[str, Any] = {"id": "training:demo-offers:x", "kind": "training", "title": "x", "source": {"name": "d"}}
    steps = build_pathway(Profile(), [OccupationResult(WELDER, 1.0)], {"training": [OfferResult(bare, 1.0)]},
                          cast(SearchService, FakeSearch()), "zh")
    assert (steps[0].duration, steps[0].source) == (None, {"name": "d", "provider": None, "sample": False})
    assert steps[1].title == GENERIC_ZH
