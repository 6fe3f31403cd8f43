"""The guidance service behind POST /api/match and the chat: profile → occupations, offers and a pathway."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import QueryError, SkillPathError
from assistant.guidance.corrections import Corrections
from assistant.retrieval.catalog import CatalogHolder
from assistant.understanding.extract import ProfileExtractor, apply
from assistant.guidance.matching import Matcher, OccupationResult
from assistant.guidance.offers import OfferResult, recommend_offers
from assistant.guidance.pathway import Step, build_pathway
from assistant.understanding.patterns import extract_facts
from assistant.text import language_of
from assistant.understanding.profile import Profile, SkillClaim
from assistant.understanding.skills import SkillExtractor
from assistant.guidance.warm import QueryWarmer
from assistant.retrieval.runtime import Retrieval
from assistant.store.outages import OUTAGES

LANGUAGES = ("zh", "en")
MAX_TEXT_CHARS = 2000
MAX_SKILLS = 50
MAX_K = 50


@dataclass(frozen=True)
class MatchRequest:
    """A validated match request; every field is optional."""

    text: str = ""
    skills: tuple[str, ...] = ()
    goal: str = ""
    location: str = ""
    lang: str | None = None
    k: int = 10

    def __post_init__(self) -> None:
        if len(self.text) > MAX_TEXT_CHARS:
            raise QueryError(f"text: {len(self.text)} characters; the limit is {MAX_TEXT_CHARS}")
        if len(self.skills) > MAX_SKILLS:
            raise QueryError(f"skills: {len(self.skills)} given; the limit is {MAX_SKILLS}")
        if self.lang is not None and self.lang not in LANGUAGES:
            raise QueryError(f"lang: '{self.lang}' is not one of {', '.join(LANGUAGES)}")
        if not 1 <= self.k <= MAX_K:
            raise QueryError(f"k: {self.k} is out of range 1..{MAX_K}")
        if not (self.text.strip() or self.goal.strip() or any(s.strip() for s in self.skills)):
            raise QueryError("text: give at least one of text, skills or goal")


@dataclass
class Recommendations:
    """Everything recommended for one profile."""

    profile: Profile
    occupations: list[OccupationResult]
    offers: dict[str, list[OfferResult]]
    pathway: list[Step]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile.to_dict(),
            "occupations": [o.to_dict() for o in self.occupations],
            "apprenticeships": [o.to_dict() for o in self.offers.get("apprenticeship", [])],
            "training": [o.to_dict() for o in self.offers.get("training", [])],
            "pathway": [s.to_dict() for s in self.pathway],
            "notes": self.notes,
        }


class GuidanceService:
    """Runs without FastAPI: the match route, the chat and the tests call it directly."""

    def __init__(self, retrieval: Retrieval, catalog: CatalogHolder) -> None:
        self.retrieval = retrieval
        self.catalog = catalog
        index = retrieval.holder.get
        self.skills = SkillExtractor(retrieval.service, index, catalog.get, views=retrieval.views)
        self.extractor = ProfileExtractor(self.skills, index, retrieval.embedder)
        self.matcher = Matcher(index, retrieval.embedder, catalog.get, retrieval.service)
        self.warmer: QueryWarmer | None = None  # knowledge-base query vectors embedded ahead (make_guidance)

    def warm_up(self) -> None:
        """Read the catalog and build the skills → occupations index now; a store or index not there yet is no error
        here (requests report it), it only means the first request builds them."""
        try:
            self.matcher.skill_index(self.catalog.get())
        except (SkillPathError, *OUTAGES):
            pass

    def language_of(self, *texts: str) -> str:
        return language_of(" ".join(t for t in texts if t), default="zh")

    def profile_from(self, request: MatchRequest) -> Profile:
        """The profile a one-shot request describes (the chat builds the same profile over several turns)."""
        lang = request.lang or self.language_of(request.text, request.goal, " ".join(request.skills))
        profile = Profile(language=lang)
        if request.text.strip():
            apply(profile, self.extractor.extract(request.text, lang))
        for given in request.skills:
            claim = self.skill_from_form(given)
            if claim is not None:
                profile.add_skill(claim)
        if request.goal.strip():
            occ = self.extractor.occupation(request.goal, lang)
            if occ is not None and occ not in profile.goals.occupations:
                profile.goals.occupations.insert(0, occ)
            profile.goals.text.append(request.goal.strip())
        if request.location.strip():
            self.set_location(profile, request.location)
        return profile

    def skill_from_form(self, given: str) -> SkillClaim | None:
        """A skill typed or picked by the person: a known URI is taken as it is, a label is anchored by search."""
        given = given.strip()
        if not given:
            return None
        catalog = self.catalog.get()
        if given in catalog.skills:
            label = catalog.skills[given][0]
            return SkillClaim(f"esco:{given}", label, "esco", given, None, given, 1.0, True, "form")
        links = self.skills.link(given)
        best = links[0] if links else None
        if best is None or best.score < 0.45:
            return SkillClaim(f"text:{given}", given, None, None, None, given, 0.0, True, "form")
        label = best.label if best.basis == "esco-skill" else given
        return SkillClaim(best.id, label, best.scheme, best.uri, best.code, given, best.score, True, "form")

    def set_location(self, profile: Profile, location: str) -> None:
        places = extract_facts(location).places
        if places:
            place = next((p for p in places if p.level != "province"), places[0])
            profile.constraints.location = place.name if place.level != "province" else None
            profile.constraints.province = place.province
        else:  # not a Chinese place we know: keep the words; offers match them as written
            profile.constraints.location, profile.constraints.province = location.strip(), None

    def recommend(self, profile: Profile, k: int = 10, corrections: Corrections | None = None) -> Recommendations:
        """`corrections`: what the person's counsellors changed; their lines replace the profile's (in place) and
        the occupations they rejected are neither recommended nor offered as near ones."""
        catalog = self.catalog.get()
        if corrections is None or not (corrections.rejected or corrections.lines):
            occupations = self.matcher.rank(profile, k)
        else:
            corrections.apply(profile)
            ranked = self.matcher.rank(profile, k + len(corrections.rejected))
            occupations = [o for o in ranked if corrections.allows(o.info.scheme, o.info.code, o.info.uri)][:k]
            for o in occupations:
                o.nearby = [(info, near) for info, near in o.nearby if corrections.allows(info.scheme, info.code, info.uri)]
        offers = recommend_offers(catalog, self.retrieval.service, occupations, profile.constraints, profile.language)
        pathway = build_pathway(profile, occupations, offers, self.retrieval.service, profile.language)
        notes = recommendation_notes(profile, occupations, offers)
        return Recommendations(profile, occupations, offers, pathway, notes)

    def match(self, request: MatchRequest, corrections: Corrections | None = None) -> Recommendations:
        return self.recommend(self.profile_from(request), request.k, corrections)


def recommendation_notes(profile: Profile, occupations: list[OccupationResult],
                         offers: dict[str, list[OfferResult]]) -> list[str]:
    """What the lists leave unsaid: no occupation; no offer the person can reach that leads to an occupation shown
    or teaches its gaps (no-offer-reachable); no apprenticeship near the place they named (no-apprenticeship-nearby,
    with or without training there)."""
    notes = []
    if not occupations:
        notes.append("no-occupation")
    elif not offers.get("apprenticeship") and not offers.get("training"):
        notes.append("no-offer-reachable")
    named_place = profile.constraints.location or profile.constraints.province
    if occupations and named_place and not offers.get("apprenticeship"):
        notes.append("no-apprenticeship-nearby")
    return notes


def make_guidance(retrieval: Retrieval, sessions: sessionmaker[Session], warm_lock: Path | None = None) -> GuidanceService:
    service = GuidanceService(retrieval, CatalogHolder(sessions))
    if warm_lock is not None:
        service.warmer = QueryWarmer(retrieval.embedder, retrieval.service, service.catalog.get, warm_lock)
    return service
