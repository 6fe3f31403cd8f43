"""A learning pathway that closes the gap: recognise what the person has → learn what is missing → certificate → job."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from assistant.errors import QueryError
from assistant.guidance.matching import OccupationResult
from assistant.guidance.offers import OfferResult
from assistant.understanding.profile import Profile
from assistant.retrieval.search import Hit, Query, SearchService

# Apprenticeships and courses on the way: the first that fits, then (after a course that teaches only some gaps)
# others while each teaches a gap skill of the target that the steps before it do not.
MAX_LEARNING_STEPS = 3
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
    # Learning steps: the target's missing requirements the offer teaches (ids, and their labels in the same order),
    # and the target's code when the offer trains for the target occupation itself.
    covers: tuple[str, ...] = ()
    covers_labels: tuple[str, ...] = ()
    leads_to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "covers": list(self.covers), "covers_labels": list(self.covers_labels)}


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
    """Ordered steps toward the top occupation; each cites its record. Empty when there is no occupation to aim at.

    Every apprenticeship or course on the way trains for the target or teaches one of its missing skills; one that
    does neither is left out even when it was recommended (it may suit another occupation shown).
    """
    if not occupations:
        return []
    lang = lang if lang in TITLES else "zh"
    words = TITLES[lang]
    target = occupations[0]
    steps: list[Step] = []

    def add(kind: str, ref: str | None, title: str, duration: str | None, source: dict[str, Any],
            **more: Any) -> None:
        steps.append(Step(len(steps) + 1, kind, ref, title, duration, source, **more))

    if profile.experience or target.matched:  # something to recognise
        ref, source = _cite(_policy(search, "recognition", lang))
        add("recognition", ref, words["recognition"], None, source)
    learning = _learning(profile, target, offers)
    for chosen in learning:
        o = chosen.offer
        taught = chosen.gaps.get(target.info.key, [])
        add(o["kind"], o["id"], o["title"], o.get("duration_text"),
            {**o["source"], "provider": o.get("provider"), "sample": bool(o.get("sample"))},
            covers=tuple(r.id for r in taught), covers_labels=tuple(r.label for r in taught),
            leads_to=chosen.leads.get(target.info.key))
    ref, source = _cite(_policy(search, "certificate", lang))
    qualification = next((c.offer.get("qualification") for c in learning if c.offer.get("qualification")), None)
    title = words["certificate"].format(q=qualification) if qualification else words["certificate-generic"]
    add("certificate", ref, title, None, source)
    info = target.info
    add("occupation", f"{info.scheme}:{info.code or info.uri}", words["occupation"].format(t=info.title), None,
        {**info.source, "code": info.code, "uri": info.uri})
    return steps


def _learning(profile: Profile, target: OccupationResult, offers: dict[str, list[OfferResult]]) -> list[OfferResult]:
    """The offers to take, in order: the best of the preferred kind that trains for the target or teaches one of its
    gaps; after a course that only teaches some gaps, others that each teach a gap skill not taught before."""
    key = target.info.key
    prefer_paid = profile.constraints.wants_paid or profile.constraints.wants_apprenticeship
    order = ("apprenticeship", "training")
    if not prefer_paid and offers.get("training"):
        order = ("training", "apprenticeship")
    useful = [r for kind in order for r in offers.get(kind, []) if key in r.leads or r.gaps.get(key)]
    # Within a kind, one that trains for the target itself before one that teaches a few of its skills.
    useful.sort(key=lambda r: (order.index(r.offer["kind"]) if r.offer["kind"] in order else len(order),
                               key not in r.leads))
    if not useful:
        return []
    chosen = [useful[0]]
    if key in useful[0].leads:  # trains for the target occupation itself: the whole trade, not one more skill
        return chosen
    taught = {r.id for r in useful[0].gaps.get(key, [])}
    for r in useful[1:]:
        if len(chosen) >= MAX_LEARNING_STEPS:
            break
        new = {g.id for g in r.gaps.get(key, [])} - taught
        if new:
            chosen.append(r)
            taught |= new
    return chosen
