"""Offers that close the gaps: apprenticeships and training the person can reach that lead to an occupation shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.errors import QueryError
from assistant.retrieval.catalog import Catalog
from assistant.guidance.coverage import Syllabus
from assistant.guidance.gaps import Requirement
from assistant.guidance.matching import OccupationResult
from assistant.understanding.profile import Constraints
from assistant.ingest.offer_fields import mode_of
from assistant.retrieval.gazetteer import full_name, spellings
from assistant.retrieval.search import Query, SearchService

QUALITY_FACTS = ("agreement", "wage", "mentor", "qualification", "subsidy")
SEARCH_DEPTH = 20
# The occupations a reply shows (the chat shows five): every offer must lead to one of them or teach one of their gaps.
TOP_OCCUPATIONS = 5
OTHER_LANGUAGE = 0.7  # score factor for an offer written in the other language
ELSEWHERE_IN_PROVINCE = 0.8  # score factor for an offer in another city of the province (for people who travel)
# Limits (Constraints.limits) that rule out learning online.
NO_ONLINE = frozenset({"no-computer", "no-online"})


@dataclass
class OfferResult:
    """One offer with the reasons it fits, the occupations it leads to and the gaps it teaches, from the record."""

    offer: dict[str, Any]
    score: float
    why: list[dict[str, object]] = field(default_factory=list)
    nearby: str = "city"  # city | province | online
    leads: dict[str, str] = field(default_factory=dict)  # occupation key → its code (or URI), best-ranked first
    gaps: dict[str, list[Requirement]] = field(default_factory=dict)  # occupation key → missing requirements taught

    @property
    def leads_to(self) -> str | None:
        """The code of the best-ranked occupation shown that the offer trains for (its URI when it has no code)."""
        return next(iter(self.leads.values()), None)

    @property
    def covers(self) -> list[Requirement]:
        """The missing requirements it teaches, of every occupation shown, best-ranked occupation first."""
        out: dict[str, Requirement] = {}
        for reqs in self.gaps.values():
            for r in reqs:
                out.setdefault(r.id, r)
        return list(out.values())

    def to_dict(self) -> dict[str, object]:
        o = self.offer
        extra = o.get("extra") or {}
        quality = {k: (o.get(k) if o.get(k) is not None else extra.get(k)) for k in QUALITY_FACTS}
        quality["paid"] = o.get("paid")
        return {"id": o["id"], "kind": o["kind"], "scheme": o["source"]["name"], "code": o["external_id"],
                "title": o["title"], "provider": o["provider"], "city": card_city(o), "region": o.get("region"),
                "mode": mode_of(o.get("mode")), "duration": o.get("duration_text"),
                "duration_months": o.get("duration_months"), "cost": o.get("cost"), "currency": o.get("currency"),
                "score": round(self.score, 4), "why": self.why,
                "quality": {k: v for k, v in quality.items() if v is not None},
                "target_occupations": list(o.get("target_occupations") or []), "tags": list(o.get("tags") or []),
                "sample": bool(o.get("sample")), "citation": o.get("citation"), "source": dict(o["source"]),
                "nearby": self.nearby, "leads_to": self.leads_to, "covers": [r.id for r in self.covers]}


def card_city(offer: dict[str, Any]) -> str | None:
    """The offer's city as the profile names places (Huzhou, 湖州 → 湖州市), so the two compare as written; a
    place the gazetteer does not know stays as the record has it."""
    city = offer.get("city")
    if not city:
        return None
    return full_name(city, offer.get("region")) or city


def can_learn_online(c: Constraints) -> bool:
    # Read defensively: profiles stored before Constraints had `limits` have none.
    return NO_ONLINE.isdisjoint(getattr(c, "limits", None) or ())


def reach(offer: dict[str, Any], c: Constraints) -> str | None:
    """How the person gets to an offer: 'city', 'province' (they travel), 'online'; None when they cannot.

    Online offers need no place but a person who can learn online; every other offer (blended too: it has
    classroom days) must be in the person's city, or in their province when they accept travel. Someone who named
    no place gets online offers only: anything else might be a thousand kilometres away.
    """
    if mode_of(offer.get("mode")) == "online":
        return "online" if can_learn_online(c) else None
    # Whole spellings, compared both ways (湖州 = 湖州市 = Huzhou): a substring test would put 吉林市 in 吉林省
    # and Xi'an in Xianyang.
    if c.location and _same_place(offer.get("city"), c.location):
        return "city"
    # A person who named only their province is taken at their word: the province is the place they gave.
    travels = getattr(c, "travel", None) is True or not c.location
    if c.province and travels and (_same_place(offer.get("region"), c.province)
                                   or _same_place(offer.get("city"), c.province)):
        return "province"
    return None


def _same_place(a: str | None, b: str) -> bool:
    if not a:
        return False
    return not {x.casefold() for x in spellings(a)}.isdisjoint(x.casefold() for x in spellings(b))


def _allowed(offer: dict[str, Any], c: Constraints) -> bool:
    mode = mode_of(offer.get("mode"))
    wanted = mode_of(c.mode)  # the profile may still say 'onsite', the older word for in-person
    if wanted == "online" and mode not in ("online", "blended"):
        return False
    if wanted == "in-person" and mode == "online":
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
    """Apprenticeships and training for the occupations shown that the person can reach.

    Candidates are the offers linked to an occupation by code and those search finds for its title; a candidate
    is kept only when it leads to one of the occupations shown or teaches one of their missing skills (search
    alone proves neither), and only when the person can reach it. Nothing qualifying means empty lists: unrelated
    offers are never used to fill them.
    """
    shown = occupations[:TOP_OCCUPATIONS]
    refs: dict[str, int] = {}  # an occupation's code or URI → its rank
    for rank, occ in enumerate(shown):
        for ref in (occ.info.code, occ.info.uri):
            if ref:
                refs.setdefault(ref, rank)
    found: dict[str, list[tuple[int, float]]] = {}  # offer id → (rank, search score) of the searches that found it
    for rank, occ in enumerate(shown):
        for kind in ("apprenticeship", "training"):
            try:
                hits = search.search(offer_query(occ.info.title, kind))
            except QueryError:  # an index without offers of this kind
                continue
            for h in hits:
                found.setdefault(h.id, []).append((rank, h.score))
    scored: dict[str, OfferResult] = {}
    for offer in catalog.offers:  # one pass: a catalogue may hold a million offers
        ranks = sorted({refs[t] for t in offer.get("target_occupations") or () if t in refs})
        if not ranks and offer["id"] not in found:
            continue
        result = scored[offer["id"]] = OfferResult(offer, 0.0)
        for rank in ranks:
            info = shown[rank].info
            result.leads.setdefault(info.key, info.code or info.uri or "")
            _credit(result, 1.0 / (1 + rank), {"kind": "trains-for", "title": info.title, "code": info.code})
        for rank, score in found.get(offer["id"], ()):
            _credit(result, 0.5 * score / (1 + rank),
                    {"kind": "related", "title": shown[rank].info.title, "score": round(score, 3)})
    out: dict[str, list[OfferResult]] = {"apprenticeship": [], "training": []}
    for result in scored.values():
        # Out of reach first: most offers are elsewhere, and what they would teach costs a look at every gap.
        if not _allowed(result.offer, constraints):
            continue
        level = reach(result.offer, constraints)
        if level is None:
            continue
        _credit_gaps(result, shown)
        if not (result.leads or result.gaps):  # found by search only and teaches nothing the person lacks
            continue
        result.nearby = level
        if level in ("city", "online"):
            result.why.append({"kind": "place", "where": result.offer.get("city") if level == "city" else "online"})
        else:
            result.score *= ELSEWHERE_IN_PROVINCE
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


def _credit_gaps(result: OfferResult, shown: list[OccupationResult]) -> None:
    """The missing requirements of each occupation shown that the offer teaches; the best-ranked one scores."""
    syllabus = Syllabus.of_offer(result.offer)
    for rank, occ in enumerate(shown):
        taught = [a.requirement for a in occ.missing if syllabus.teaches(a.requirement.label)]
        if not taught:
            continue
        if not result.gaps:
            result.score += 0.2 / (1 + rank) * min(len(taught), 3)
            result.why.append({"kind": "closes-gaps", "skills": [r.label for r in taught[:3]]})
        result.gaps[occ.info.key] = taught


def _credit(result: OfferResult, weight: float, why: dict[str, object]) -> None:
    result.score += weight
    if why not in result.why:
        result.why.append(why)
