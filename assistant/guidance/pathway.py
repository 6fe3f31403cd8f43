"""A learning pathway: recognise what the person has → apprenticeship or course → certificate → target occupation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from assistant.errors import QueryError
from assistant.guidance.matching import OccupationResult
from assistant.guidance.offers import OfferResult
from assistant.guidance.profile import Profile
from assistant.retrieval.search import Hit, Query, SearchService

# Step titles in each language; the facts (offer, certificate, occupation) come from the records themselves.
TITLES = {
    "zh": {
        "recognition": "对已有技能进行评价认定（先前学习认定）",
        "certificate": "参加职业技能等级认定，取得{q}",
        "certificate-generic": "参加职业技能等级认定，取得相应职业技能等级证书",
        "occupation": "从事目标职业：{t}",
    },
    "en": {
        "recognition": "Have your existing skills assessed and recognised (recognition of prior learning)",
        "certificate": "Take the skill-level assessment and obtain: {q}",
        "certificate-generic": "Take the skill-level assessment for the matching vocational skill certificate",
        "occupation": "Work as: {t}",
    },
}
# What to look up in the policy sheets to cite each generic step.
POLICY_QUERIES = {
    "recognition": {"zh": "先前学习认定 已有技能 评价", "en": "recognition of prior learning assess existing skills"},
    "certificate": {"zh": "职业技能等级认定 证书", "en": "vocational skill level certificate assessment"},
}


@dataclass(frozen=True)
class Step:
    """One step with what it refers to (offer, document passage or taxonomy code) and how long it takes."""

    step: int
    kind: str  # recognition | apprenticeship | training | certificate | occupation
    ref: str | None
    title: str
    duration: str | None
    source: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _policy(search: SearchService, kind: str, lang: str) -> Hit | None:
    try:
        hits = search.search(Query(POLICY_QUERIES[kind][lang], type="policy", lang=lang, k=1))
    except QueryError:  # no policy passages in this language
        return None
    return hits[0] if hits else None


def _cite(hit: Hit | None) -> tuple[str | None, dict[str, Any]]:
    if hit is None:
        return None, {}
    return hit.id, {**hit.source, "document": hit.title}


def build_pathway(profile: Profile, occupations: list[OccupationResult], offers: dict[str, list[OfferResult]],
                  search: SearchService, lang: str) -> list[Step]:
    """Ordered steps; each cites its record. Empty when there is no occupation to aim at."""
    if not occupations:
        return []
    lang = lang if lang in TITLES else "zh"
    words = TITLES[lang]
    steps: list[Step] = []

    def add(kind: str, ref: str | None, title: str, duration: str | None, source: dict[str, Any]) -> None:
        steps.append(Step(len(steps) + 1, kind, ref, title, duration, source))

    if profile.experience:
        ref, source = _cite(_policy(search, "recognition", lang))
        add("recognition", ref, words["recognition"], None, source)
    prefer_paid = profile.constraints.wants_paid or profile.constraints.wants_apprenticeship
    order = ("apprenticeship", "training") if prefer_paid or not offers.get("training") else ("training", "apprenticeship")
    chosen = next((offers[k][0] for k in order if offers.get(k)), None)
    if chosen is not None:
        o = chosen.offer
        add(o["kind"], o["id"], o["title"], o.get("duration_text"),
            {**o["source"], "provider": o.get("provider"), "sample": bool(o.get("sample"))})
    ref, source = _cite(_policy(search, "certificate", lang))
    qualification = chosen.offer.get("qualification") if chosen is not None else None
    title = words["certificate"].format(q=qualification) if qualification else words["certificate-generic"]
    add("certificate", ref, title, None, source)
    target = occupations[0].info
    add("occupation", f"{target.scheme}:{target.code or target.uri}", words["occupation"].format(t=target.title), None,
        {**target.source, "code": target.code, "uri": target.uri})
    return steps
