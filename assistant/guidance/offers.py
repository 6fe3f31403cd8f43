"""Offers that close the gaps: apprenticeships and training filtered by place, mode, cost and pay, with why they fit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.errors import QueryError
from assistant.guidance.catalog import Catalog
from assistant.guidance.matching import OccupationResult
from assistant.guidance.overlap import overlap
from assistant.guidance.profile import Constraints
from assistant.retrieval.gazetteer import spellings
from assistant.retrieval.search import Query, SearchService

QUALITY_FACTS = ("agreement", "wage", "mentor", "qualification", "subsidy")
SEARCH_DEPTH = 20
MIN_RELATED = 0.45
OTHER_LANGUAGE = 0.7  # score factor for an offer written in the other language


@dataclass
class OfferResult:
    """One offer with the reasons it fits and its quality facts, all from the offer record."""

    offer: dict[str, Any]
    score: float
    why: list[dict[str, object]] = field(default_factory=list)
    nearby: str = "city"  # city | province | elsewhere | online

    def to_dict(self) -> dict[str, object]:
        o = self.offer
        extra = o.get("extra") or {}
        quality = {k: (o.get(k) if o.get(k) is not None else extra.get(k)) for k in QUALITY_FACTS}
        quality["paid"] = o.get("paid")
        return {"id": o["id"], "kind": o["kind"], "scheme": o["source"]["name"], "code": o["external_id"],
                "title": o["title"], "provider": o["provider"], "city": o.get("city"), "region": o.get("region"),
                "mode": o.get("mode"), "duration": o.get("duration_text"), "duration_months": o.get("duration_months"),
                "cost": o.get("cost"), "currency": o.get("currency"), "score": round(self.score, 4),
                "why": self.why, "quality": {k: v for k, v in quality.items() if v is not None},
                "target_occupations": list(o.get("target_occupations") or []), "tags": list(o.get("tags") or []),
                "sample": bool(o.get("sample")), "citation": o.get("citation"), "source": dict(o["source"]),
                "nearby": self.nearby}


def _place_level(offer: dict[str, Any], c: Constraints) -> str | None:
    """How near an offer is: in the city, in the province, elsewhere; None when the person named no place."""
    if offer.get("mode") == "online":
        return "online"
    if not c.location and not c.province:
        return None
    # Whole spellings, compared both ways (湖州 = 湖州市 = Huzhou): a substring test would put 吉林市 in 吉林省
    # and Xi'an in Xianyang.
    if c.location and _same_place(offer.get("city"), c.location):
        return "city"
    if c.province and (_same_place(offer.get("region"), c.province) or _same_place(offer.get("city"), c.province)):
        return "province"
    return "elsewhere"


def _same_place(a: str | None, b: str) -> bool:
    if not a:
        return False
    return not {x.casefold() for x in spellings(a)}.isdisjoint(x.casefold() for x in spellings(b))


def _allowed(offer: dict[str, Any], c: Constraints) -> bool:
    if c.mode == "online" and offer.get("mode") not in ("online", "blended"):
        return False
    if c.mode == "onsite" and offer.get("mode") == "online":
        return False
    if c.budget is not None and (offer.get("cost") or 0) > c.budget:
        return False
    if c.wants_paid and offer.get("kind") == "apprenticeship" and offer.get("paid") is False:
        return False
    return True


def offer_query(title: str, kind: str) -> Query:
    """The search for offers related to an occupation: its title among one kind of offer."""
    return Query(title, type=kind, k=SEARCH_DEPTH)


def recommend_offers(catalog: Catalog, search: SearchService, occupations: list[OccupationResult],
                     constraints: Constraints, lang: str, k: int = 5) -> dict[str, list[OfferResult]]:
    """Apprenticeships and training for the top occupations: linked by code, found by search, closing gaps."""
    by_id = {o["id"]: o for o in catalog.offers}
    scored: dict[str, OfferResult] = {}
    for rank, occ in enumerate(occupations[:3]):
        weight = 1.0 / (1 + rank)
        missing = [a.requirement.label for a in occ.missing]
        for offer in catalog.offers:
            if occ.info.code and occ.info.code in (offer.get("target_occupations") or []):
                _credit(scored, offer, weight, {"kind": "trains-for", "title": occ.info.title, "code": occ.info.code})
        hits = []
        for kind in ("apprenticeship", "training"):
            try:
                hits += search.search(offer_query(occ.info.title, kind))
            except QueryError:  # an index without offers of this kind
                pass
        for h in hits:
            if h.id in by_id:
                _credit(scored, by_id[h.id], 0.5 * weight * h.score,
                        {"kind": "related", "title": occ.info.title, "score": round(h.score, 3)})
        for result in list(scored.values()):
            taught = " ".join(result.offer.get("target_skills") or []) + " " + (result.offer.get("description") or "")
            closes = [m for m in missing if overlap(m, taught) >= 0.5]
            if closes and not any(w["kind"] == "closes-gaps" for w in result.why):
                result.score += 0.2 * weight * min(len(closes), 3)
                result.why.append({"kind": "closes-gaps", "skills": closes[:3]})
    out: dict[str, list[OfferResult]] = {"apprenticeship": [], "training": []}
    for result in scored.values():
        linked = any(w["kind"] in ("trains-for", "closes-gaps") for w in result.why)
        if not linked and result.score < MIN_RELATED:  # found by search alone and only loosely: not worth a card
            continue
        if not _allowed(result.offer, constraints):
            continue
        level = _place_level(result.offer, constraints)
        if level == "elsewhere":
            continue
        result.nearby = level or "any"
        if level in ("city", "online"):
            result.why.append({"kind": "place", "where": result.offer.get("city") or "online"})
        elif level == "province":
            result.score *= 0.8
            result.why.append({"kind": "nearby", "where": result.offer.get("city")})
        if lang and result.offer.get("language") and result.offer["language"] != lang:
            # Offers are written in one language; the person's own comes first, the other stays reachable.
            result.score *= OTHER_LANGUAGE
        if result.offer.get("kind") == "apprenticeship" and result.offer.get("paid"):
            result.why.append({"kind": "paid", "wage": result.offer.get("wage")})
        if constraints.budget is not None:
            result.why.append({"kind": "within-budget", "cost": result.offer.get("cost")})
        out.setdefault(result.offer["kind"], []).append(result)
    for kind in out:
        out[kind].sort(key=lambda r: (-r.score, r.offer["id"]))
        out[kind] = out[kind][:k]
    return out


def _credit(scored: dict[str, OfferResult], offer: dict[str, Any], weight: float, why: dict[str, object]) -> None:
    result = scored.setdefault(offer["id"], OfferResult(offer, 0.0))
    result.score += weight
    if why not in result.why:
        result.why.append(why)
