"""Offer recommendation: linking by code, search and gaps; place, mode, budget and pay filters; ordering; cards."""

from __future__ import annotations

from typing import Any, cast

import pytest

from assistant.errors import QueryError
from assistant.guidance.catalog import Catalog, OccupationInfo
from assistant.guidance.gaps import Assessment, Requirement
from assistant.guidance.matching import OccupationResult
from assistant.guidance.offers import MIN_RELATED, SEARCH_DEPTH, OfferResult, _allowed, _place_level, recommend_offers
from assistant.guidance.profile import Constraints
from assistant.retrieval.search import Hit, Query, SearchService

CODE = "6-18-02-04"
SOURCE = {"name": "demo-offers", "version": "1", "url": "https://example.org/offers"}
HERE = Constraints(location="湖州市", province="浙江省")


def _offer(ext: str, kind: str = "training", **fields: Any) -> dict[str, Any]:
    cols = ("external_id", "kind", "title", "provider", "language", "description", "city", "region", "country", "mode",
            "duration_months", "duration_text", "cost", "currency", "paid", "wage", "subsidy", "qualification",
            "level", "start_dates", "target_occupations", "target_skills", "eligibility", "contact", "url", "tags",
            "extra", "sample", "citation")
    out: dict[str, Any] = dict.fromkeys(cols)
    out.update(external_id=ext, kind=kind, title=f"offer {ext}", provider="provider", city="湖州市", region="浙江省",
               mode="onsite", target_occupations=[], target_skills=[], tags=[], extra={}, sample=True)
    out.update(fields)
    out["source"] = dict(SOURCE)
    out["id"] = f"{kind}:{SOURCE['name']}:{ext}"
    return out


def _occupation(code: str = CODE, title: str = "电焊工", missing: tuple[str, ...] = ()) -> OccupationResult:
    info = OccupationInfo("csco2022", code, None, title, "zh", "", (), (), None, (), (),
                          {"name": "csco2022", "version": "2022", "url": None})
    gaps = [Assessment(Requirement(f"csco2022:{code}#task{n}", label, "csco-task", None, f"{code}#task{n}"),
                       False, 0.0, None) for n, label in enumerate(missing, start=1)]
    return OccupationResult(info, 1.0, [], gaps)


def _hit(offer_id: str, score: float) -> Hit:
    kind = offer_id.split(":")[0]
    return Hit(offer_id, kind, SOURCE["name"], offer_id.rsplit(":", 1)[1], None, "t", score, "", dict(SOURCE), "zh",
               None, [], {})


class FakeSearch:
    """Answers offer searches from a table keyed by (query text, type); raises QueryError for the listed types."""

    def __init__(self, hits: dict[tuple[str, str], list[Hit]] | None = None, fail: tuple[str, ...] = ()) -> None:
        self.hits = hits or {}
        self.fail = fail
        self.queries: list[Query] = []

    def search(self, query: Query) -> list[Hit]:
        self.queries.append(query)
        if query.type in self.fail:
            raise QueryError(f"type: no {query.type} in the index")
        return list(self.hits.get((query.text, query.type or ""), []))


def _run(offers: list[dict[str, Any]], constraints: Constraints = HERE, hits: list[Hit] | None = None,
         occupations: list[OccupationResult] | None = None, fail: tuple[str, ...] = (),
         k: int = 5, lang: str = "zh") -> dict[str, list[OfferResult]]:
    table: dict[tuple[str, str], list[Hit]] = {}
    for h in hits or []:
        table.setdefault(("电焊工", h.type), []).append(h)
    search = FakeSearch(table, fail)
    catalog = Catalog("hash", {}, {}, {}, offers)
    return recommend_offers(catalog, cast(SearchService, search), occupations or [_occupation()], constraints, lang, k)


def _summary(out: dict[str, list[OfferResult]]) -> list[tuple[str, float, str, list[str]]]:
    return [(r.offer["external_id"], round(r.score, 4), r.nearby, [str(w["kind"]) for w in r.why])
            for kind in ("apprenticeship", "training") for r in out[kind]]


@pytest.mark.parametrize(
    ("offer", "hits", "expected"),
    [
        pytest.param(_offer("a", target_occupations=[CODE]), [], [("a", 1.0, "city", ["trains-for", "place"])],
                     id="linked-by-code"),
        pytest.param(_offer("a", target_occupations=["2-02-99-99"]), [], [], id="other-code-not-found"),
        pytest.param(_offer("a"), [_hit("training:demo-offers:a", 0.5)], [], id="search-only-below-min-related"),
        pytest.param(_offer("a"), [_hit("training:demo-offers:a", 0.9)], [("a", 0.45, "city", ["related", "place"])],
                     id="search-only-at-min-related"),
        pytest.param(_offer("a", target_occupations=[CODE]), [_hit("training:demo-offers:a", 0.8)],
                     [("a", 1.4, "city", ["trains-for", "related", "place"])], id="linked-and-found"),
        pytest.param(_offer("a", target_skills=["识读焊接图纸"]), [_hit("training:demo-offers:a", 0.3)],
                     [("a", 0.35, "city", ["related", "closes-gaps", "place"])], id="search-plus-closes-gaps"),
        pytest.param(_offer("a", description="课程内容：识读焊接图纸、焊接质量检验"), [_hit("training:demo-offers:a", 0.3)],
                     [("a", 0.35, "city", ["related", "closes-gaps", "place"])], id="gap-in-description"),
        pytest.param(_offer("a", target_skills=["识读焊接图纸"]), [], [], id="gaps-alone-do-not-find"),
        pytest.param(_offer("a", "apprenticeship", target_occupations=[CODE], paid=True, wage="4000元/月"), [],
                     [("a", 1.0, "city", ["trains-for", "place", "paid"])], id="paid-apprenticeship"),
        pytest.param(_offer("a", "apprenticeship", target_occupations=[CODE], paid=False), [],
                     [("a", 1.0, "city", ["trains-for", "place"])], id="unpaid-apprenticeship"),
    ],
)
def test_linking(offer: dict[str, Any], hits: list[Hit], expected: list[tuple[str, float, str, list[str]]]) -> None:
    out = _run([offer], hits=hits, occupations=[_occupation(missing=("识读焊接图纸",))])
    assert _summary(out) == expected
    assert MIN_RELATED == 0.45


def test_closes_gaps_reason_names_the_skills() -> None:
    offer = _offer("a", target_occupations=[CODE], target_skills=["识读焊接图纸", "电焊设备操作"])
    (result,) = _run([offer], occupations=[_occupation(missing=("识读焊接图纸", "设备维护", "使用电焊设备"))])["training"]
    assert result.why[:2] == [{"kind": "trains-for", "title": "电焊工", "code": CODE},
                              {"kind": "closes-gaps", "skills": ["识读焊接图纸", "使用电焊设备"]}]
    assert result.score == pytest.approx(1.0 + 0.2 * 2)


@pytest.mark.parametrize(
    ("fields", "constraints", "nearby", "score", "place_why"),
    [
        pytest.param({}, HERE, "city", 1.0, {"kind": "place", "where": "湖州市"}, id="same-city"),
        pytest.param({"city": "Huzhou", "region": "Zhejiang"}, HERE, "city", 1.0, {"kind": "place", "where": "Huzhou"},
                     id="city-in-pinyin"),
        pytest.param({"city": "湖州"}, Constraints(location="Huzhou"), "city", 1.0, {"kind": "place", "where": "湖州"},
                     id="short-name"),
        pytest.param({"city": "杭州市"}, HERE, "province", 0.8, {"kind": "nearby", "where": "杭州市"}, id="same-province"),
        pytest.param({"city": "杭州市"}, Constraints(province="浙江省"), "province", 0.8,
                     {"kind": "nearby", "where": "杭州市"}, id="province-only"),
        pytest.param({"city": "广州市", "region": "广东省"}, HERE, None, None, None, id="elsewhere-dropped"),
        pytest.param({"city": None, "region": None}, HERE, None, None, None, id="unknown-place-dropped"),
        pytest.param({"city": None, "region": None, "mode": "online"}, HERE, "online", 1.0,
                     {"kind": "place", "where": "online"}, id="online-kept"),
        pytest.param({"city": "广州市", "region": "广东省"}, Constraints(), "any", 1.0, None, id="no-place-given"),
    ],
)
def test_place_filtering(fields: dict[str, Any], constraints: Constraints, nearby: str | None, score: float | None,
                         place_why: dict[str, object] | None) -> None:
    out = _run([_offer("a", target_occupations=[CODE], **fields)], constraints)
    if nearby is None:
        assert out == {"apprenticeship": [], "training": []}
        return
    (result,) = out["training"]
    assert (result.nearby, result.score) == (nearby, pytest.approx(score))
    assert result.why == [{"kind": "trains-for", "title": "电焊工", "code": CODE}] + ([place_why] if place_why else [])


@pytest.mark.parametrize(
    ("offer", "constraints", "expected"),
    [
        pytest.param({"city": "长春市", "region": "吉林省"}, Constraints(location="吉林市", province="吉林省"), "province",
                     id="jilin-city-vs-province"),
        pytest.param({"city": "Xianyang", "region": "Shaanxi"}, Constraints(location="西安市", province="陕西省"),
                     "province", id="xian-inside-xianyang"),
    ],
)
def test_place_level_compares_whole_spellings(offer: dict[str, Any], constraints: Constraints, expected: str) -> None:
    assert _place_level({"mode": "onsite", **offer}, constraints) == expected


@pytest.mark.parametrize(
    ("offer", "constraints", "allowed"),
    [
        pytest.param({"mode": "onsite"}, Constraints(), True, id="no-constraints"),
        pytest.param({"mode": "onsite"}, Constraints(mode="online"), False, id="wants-online-onsite"),
        pytest.param({"mode": "online"}, Constraints(mode="online"), True, id="wants-online-online"),
        pytest.param({"mode": "blended"}, Constraints(mode="online"), True, id="wants-online-blended"),
        pytest.param({"mode": "online"}, Constraints(mode="onsite"), False, id="wants-onsite-online"),
        pytest.param({"mode": "blended"}, Constraints(mode="onsite"), True, id="wants-onsite-blended"),
        pytest.param({"cost": 1500}, Constraints(budget=1000), False, id="over-budget"),
        pytest.param({"cost": 1000}, Constraints(budget=1000), True, id="at-budget"),
        pytest.param({"cost": None}, Constraints(budget=0), True, id="free-when-no-cost"),
        pytest.param({"kind": "apprenticeship", "paid": False}, Constraints(wants_paid=True), False, id="unpaid"),
        pytest.param({"kind": "apprenticeship", "paid": None}, Constraints(wants_paid=True), True, id="pay-unknown"),
        pytest.param({"kind": "training", "paid": False}, Constraints(wants_paid=True), True, id="training-unpaid"),
        pytest.param({"kind": "apprenticeship", "paid": False}, Constraints(wants_paid=False), True,
                     id="pay-not-asked"),
    ],
)
def test_allowed(offer: dict[str, Any], constraints: Constraints, allowed: bool) -> None:
    assert _allowed(offer, constraints) is allowed


def test_budget_reason_and_filter_in_recommend() -> None:
    offers = [_offer("cheap", target_occupations=[CODE], cost=800),
              _offer("dear", target_occupations=[CODE], cost=3000)]
    (result,) = _run(offers, Constraints(location="湖州市", budget=1000))["training"]
    assert result.offer["external_id"] == "cheap"
    assert result.why[-1] == {"kind": "within-budget", "cost": 800}


def test_order_and_k() -> None:
    offers = [_offer(x, target_occupations=[CODE]) for x in ("c", "a", "b")] + [
        _offer("d", target_occupations=["1-01-00-00"]), _offer("z", "apprenticeship", target_occupations=[CODE])]
    occupations = [_occupation(), _occupation("1-01-00-00", "other")]
    hits = [_hit("training:demo-offers:b", 0.9)]
    out = _run(offers, hits=hits, occupations=occupations, k=2)
    assert [(r.offer["external_id"], round(r.score, 4)) for r in out["training"]] == [("b", 1.45), ("a", 1.0)]
    assert [r.offer["external_id"] for r in out["apprenticeship"]] == ["z"]
    everything = _run(offers, hits=hits, occupations=occupations, k=10)["training"]
    assert [(r.offer["external_id"], round(r.score, 4)) for r in everything] == [
        ("b", 1.45), ("a", 1.0), ("c", 1.0), ("d", 0.5)]


def test_only_the_top_three_occupations_count() -> None:
    occupations = [_occupation(f"9-00-00-0{n}", f"occ{n}") for n in range(4)]
    offers = [_offer(f"o{n}", target_occupations=[f"9-00-00-0{n}"]) for n in range(4)]
    out = _run(offers, occupations=occupations)
    assert [(r.offer["external_id"], round(r.score, 4)) for r in out["training"]] == [
        ("o0", 1.0), ("o1", 0.5), ("o2", 0.3333)]


@pytest.mark.parametrize("fail", [pytest.param(("apprenticeship",), id="one-kind"),
                                  pytest.param(("apprenticeship", "training"), id="both-kinds")])
def test_query_error_is_tolerated(fail: tuple[str, ...]) -> None:
    hits = [_hit("training:demo-offers:s", 0.95)]
    out = _run([_offer("a", target_occupations=[CODE]), _offer("s")], hits=hits, fail=fail)
    expected = ["a", "s"] if "training" not in fail else ["a"]
    assert [r.offer["external_id"] for r in out["training"]] == expected


def test_search_queries() -> None:
    search = FakeSearch()
    recommend_offers(Catalog("h", {}, {}, {}, []), cast(SearchService, search), [_occupation()], HERE, "zh")
    assert search.queries == [Query("电焊工", type="apprenticeship", k=SEARCH_DEPTH),
                              Query("电焊工", type="training", k=SEARCH_DEPTH)]


def test_to_dict() -> None:
    offer = _offer("a", "apprenticeship", title="电焊学徒", provider="湖州技师学院", mode="onsite", duration_text="12个月",
                   duration_months=12, cost=0, currency="CNY", paid=True, wage="4000元/月", qualification=None,
                   target_occupations=[CODE], tags=["焊接"], extra={"qualification": "焊工四级", "mentor": "一对一"},
                   citation="demo sheet p.1")
    result = OfferResult(offer, 1.23456, [{"kind": "paid", "wage": "4000元/月"}], "city")
    assert result.to_dict() == {
        "id": "apprenticeship:demo-offers:a", "kind": "apprenticeship", "scheme": "demo-offers", "code": "a",
        "title": "电焊学徒", "provider": "湖州技师学院", "city": "湖州市", "region": "浙江省", "mode": "onsite",
        "duration": "12个月", "duration_months": 12, "cost": 0, "currency": "CNY", "score": 1.2346,
        "why": [{"kind": "paid", "wage": "4000元/月"}],
        "quality": {"wage": "4000元/月", "mentor": "一对一", "qualification": "焊工四级", "paid": True},
        "target_occupations": [CODE], "tags": ["焊接"], "sample": True, "citation": "demo sheet p.1",
        "source": SOURCE, "nearby": "city"}


@pytest.mark.parametrize(
    ("lang", "order", "scores"),
    [
        pytest.param("zh", ["zh-offer", "en-offer"], [1.0, 0.7], id="zh-first-for-a-chinese-conversation"),
        pytest.param("en", ["en-offer", "zh-offer"], [1.0, 0.7], id="en-first-for-an-english-conversation"),
    ],
)
def test_offers_in_the_conversation_language_come_first(lang: str, order: list[str], scores: list[float]) -> None:
    offers = [_offer("zh-offer", language="zh", target_occupations=[CODE]),
              _offer("en-offer", language="en", target_occupations=[CODE])]
    out = _run(offers, lang=lang)
    assert [(r.offer["external_id"], round(r.score, 4)) for r in out["training"]] == list(zip(order, scores))

