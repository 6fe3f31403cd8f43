"""Learning pathway steps: recognition, offers that lead to the target or teach its gaps, certificate, work; cited."""

from __future__ import annotations

from typing import Any, cast

import pytest

from assistant.errors import QueryError
from assistant.retrieval.catalog import OccupationInfo
from assistant.guidance.gaps import Assessment, Requirement
from assistant.guidance.matching import OccupationResult
from assistant.guidance.offers import OfferResult
from assistant.guidance.pathway import MAX_LEARNING_STEPS, POLICY_QUERIES, TITLES, Step, build_pathway
from assistant.understanding.profile import Constraints, Experience, Profile
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


def _offer(kind: str, ext: str, qualification: str | None = None, *,
           leads: tuple[OccupationInfo, ...] = (WELDER, ESCO_WELDER),
           covers: dict[str, list[Requirement]] | None = None) -> OfferResult:
    """An offer as recommend_offers leaves it: by default it trains for the welder of either scheme (leads_to)."""
    offer = {"id": f"{kind}:demo-offers:{ext}", "kind": kind, "title": f"{kind} {ext}", "provider": "湖州技师学院",
             "duration_text": "12个月" if kind == "apprenticeship" else "3个月", "qualification": qualification,
             "source": dict(OFFER_SOURCE), "sample": True}
    return OfferResult(offer, 1.0, leads={i.key: i.code or i.uri or "" for i in leads}, gaps=covers or {})


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
                                  "source": {**POLICY_SOURCE, "document": "先前学习认定办法"},
                                  "covers": [], "covers_labels": [], "leads_to": None}
    assert (steps[1].to_dict()["leads_to"], steps[1].to_dict()["covers"]) == ("6-18-02-04", [])


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
    offer = OfferResult(bare, 1.0, leads={WELDER.key: WELDER.code or ""})
    steps = build_pathway(Profile(), [OccupationResult(WELDER, 1.0)], {"training": [offer]},
                          cast(SearchService, FakeSearch()), "zh")
    assert (steps[0].duration, steps[0].source) == (None, {"name": "d", "provider": None, "sample": False})
    assert steps[1].title == GENERIC_ZH


# ---- the gap: every apprenticeship or course on the way trains for the target or teaches its missing skills ----

GAPS = [Requirement(f"{WELDER.key}#task{n}", label, "csco-task", None, f"{WELDER.code}#task{n}")
        for n, label in enumerate(("设定焊接参数", "清理焊缝，检测外观质量", "识读焊接图纸"), start=1)]
G1, G2, G3 = GAPS
TARGET = OccupationResult(WELDER, 1.0, [], [Assessment(r, False, 0.0, None) for r in GAPS])
OTHER = OccupationInfo("csco2022", "6-31-07-03", None, "工业机器人系统操作员", "zh", "", (), (), None, (), (), CSCO_SOURCE)


def _course(ext: str, *gaps: Requirement, kind: str = "training",
            leads: tuple[OccupationInfo, ...] = ()) -> OfferResult:
    return _offer(kind, ext, leads=leads, covers={WELDER.key: list(gaps)} if gaps else {})


@pytest.mark.parametrize(
    ("profile", "offers", "learning"),
    [
        pytest.param(Profile(), {"training": [_course("robot", leads=(OTHER,))]}, [],
                     id="an-offer-for-another-occupation-is-no-step"),
        pytest.param(Profile(), {"training": [_course("robot", leads=(OTHER,)), _course("t1", G1, G3)]},
                     [("training:demo-offers:t1", (G1.id, G3.id), ("设定焊接参数", "识读焊接图纸"), None)],
                     id="the-course-that-teaches-gaps"),
        pytest.param(Profile(), {"training": [_course("t1", G1), _course("t2", G1), _course("t3", G2, G3)]},
                     [("training:demo-offers:t1", (G1.id,), ("设定焊接参数",), None),
                      ("training:demo-offers:t3", (G2.id, G3.id), ("清理焊缝，检测外观质量", "识读焊接图纸"), None)],
                     id="more-courses-only-for-new-gaps"),
        pytest.param(Profile(), {"training": [_course("t1", G1), _course("t2", G2), _course("t3", G3),
                                              _course("t4", G1, G2, G3)]},
                     [(f"training:demo-offers:t{n}", (g.id,), (g.label,), None)
                      for n, g in enumerate(GAPS[:MAX_LEARNING_STEPS], start=1)],
                     id="at-most-three-learning-steps"),
        pytest.param(Profile(), {"training": [_course("t1", G1), _course("t2", leads=(WELDER,))]},
                     [("training:demo-offers:t2", (), (), "6-18-02-04")], id="training-for-the-trade-first"),
        pytest.param(Profile(), {"training": [_course("t1", G1, leads=(WELDER,)), _course("t2", G2)]},
                     [("training:demo-offers:t1", (G1.id,), ("设定焊接参数",), "6-18-02-04")],
                     id="the-whole-trade-needs-no-more"),
        pytest.param(Profile(constraints=Constraints(wants_paid=True)),
                     {"apprenticeship": [_course("a1", kind="apprenticeship", leads=(OTHER,))],
                      "training": [_course("t1", G2)]},
                     [("training:demo-offers:t1", (G2.id,), ("清理焊缝，检测外观质量",), None)],
                     id="a-paid-apprenticeship-elsewhere-gives-way-to-a-course-that-closes-gaps"),
    ],
)
def test_learning_steps_close_the_gap(profile: Profile, offers: dict[str, list[OfferResult]],
                                      learning: list[tuple[str, tuple[str, ...], tuple[str, ...], str | None]]) -> None:
    steps = build_pathway(profile, [TARGET, OccupationResult(OTHER, 0.5)], offers, cast(SearchService, _policies("zh")),
                          "zh")
    kinds = [s.kind for s in steps]
    assert kinds == ["training"] * len(learning) + ["certificate", "occupation"]
    assert [(s.ref, s.covers, s.covers_labels, s.leads_to) for s in steps[:len(learning)]] == learning
    assert all(s.covers or s.leads_to == WELDER.code for s in steps if s.kind in ("training", "apprenticeship"))
    assert all(s.source for s in steps)


@pytest.mark.parametrize(
    ("profile", "matched", "recognition"),
    [
        pytest.param(Profile(), False, False, id="nothing-to-recognise"),
        pytest.param(Profile(experience=EXPERIENCED), False, True, id="experience"),
        pytest.param(Profile(), True, True, id="matched-skills"),
    ],
)
def test_order_recognition_learning_certificate_work(profile: Profile, matched: bool, recognition: bool) -> None:
    target = OccupationResult(WELDER, 1.0, [], [Assessment(G1, False, 0.0, None)] + (
        [Assessment(G3, True, 0.9, "看图纸")] if matched else []))
    steps = build_pathway(profile, [target], {"training": [_course("t1", G1)]}, cast(SearchService, _policies("zh")),
                          "zh")
    assert [s.kind for s in steps] == ["recognition"] * recognition + ["training", "certificate", "occupation"]
    assert steps[-1].ref == "csco2022:6-18-02-04" and steps[-1].source["code"] == "6-18-02-04"


def test_english_steps_name_the_gaps_they_cover() -> None:
    weld = Requirement(f"esco:{ESCO_WELDER.uri}/weld", "weld metal parts", "esco-essential", "weld", None)
    target = OccupationResult(ESCO_WELDER, 1.0, [], [Assessment(weld, False, 0.0, None)])
    course = OfferResult({"id": "training:demo-offers:w", "kind": "training", "title": "Metal welding basics",
                          "source": dict(OFFER_SOURCE)}, 1.0, gaps={ESCO_WELDER.key: [weld]})
    search = cast(SearchService, _policies("en"))
    steps = build_pathway(Profile(language="en"), [target], {"training": [course]}, search, "en")
    assert [(s.kind, s.covers, s.covers_labels) for s in steps] == [
        ("training", (weld.id,), ("weld metal parts",)), ("certificate", (), ()), ("occupation", (), ())]
    assert steps[0].to_dict()["covers"] == [weld.id] and steps[0].to_dict()["covers_labels"] == ["weld metal parts"]
