"""Profile → ranked occupations, each with the reasons behind it and the skills present and missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.retrieval.catalog import Catalog, OccupationInfo
from assistant.guidance.interest_occupations import occupations_for
from assistant.guidance.gaps import Assessment, Requirement, assess, requirements
from assistant.understanding.profile import OccupationRef, Profile
from assistant.guidance.skill_occupations import Nearby, SkillOccupations, for_catalog, normalised, strongest
from assistant.guidance.traits import Fit, fit
from assistant.index.embedders import Embedder
from assistant.index.loaded import LoadedIndex
from assistant.retrieval.normalise import normalise_occupation
from assistant.text import language_of
from assistant.retrieval.search import Query, SearchService

# How much each kind of evidence counts. A stated goal is what the person came for; their own job is next; what
# their skills have in common with an occupation's requirements comes then (relative to the best such match);
# occupations merely near the words of a description are suggestions.
WEIGHTS = {"goal": 1.0, "experience": 0.8, "topic": 0.7, "skills": 0.6, "interest": 0.5, "related": 0.45}
INTEREST_CANDIDATES = 20
TOPIC_CANDIDATES = 10
STORY_CANDIDATES = 25  # a whole work story is richer evidence than a phrase: ten of the occupations near it  # a field is wider than a job: more of the occupations near it are in play
RELATED_PER_PHRASE = 5
INFERRED_SKILLS = 8
YEARS_WEIGHT, YEARS_CAP = 0.5, 10.0  # experience weighs up to 1.5× at ten years or more
SKILL_CANDIDATES = 30  # occupations the skills propose, strongest first, before requirements are assessed
# Coverage moves the order only a little: a goal the person lacks skills for is still their goal.
COVERAGE_WEIGHT = 0.3
COVERAGE_FULL_AT = 5
# One broad family (an ISCO-08 unit group) per list, by the third place, when it is at least a quarter as strong as the
# best match; FAMILIES_EXTRA more candidates are assessed so that the places it (and repeated titles) free are filled.
FAMILY_SCHEME, FAMILY_BY, FAMILY_MIN_SHARE, FAMILIES_EXTRA, FAMILIES_PER_STORY = "isco08", 2, 0.25, 8, 2  # skills known before coverage counts in full


@dataclass
class OccupationResult:
    """One recommended occupation with its evidence."""

    info: OccupationInfo
    score: float
    reasons: list[dict[str, object]] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    fit: Fit | None = None  # the person's limits it contradicts (only kept when asked for), and a longer route
    nearby: list[tuple[OccupationInfo, Nearby]] = field(default_factory=list)  # others within reach of it

    @property
    def matched(self) -> list[Assessment]:
        return [a for a in self.assessments if a.covered]

    @property
    def missing(self) -> list[Assessment]:
        return [a for a in self.assessments if not a.covered]

    def to_dict(self) -> dict[str, object]:
        i = self.info
        return {"scheme": i.scheme, "code": i.code, "uri": i.uri, "title": i.title, "score": round(self.score, 4),
                "reasons": self.reasons, "skills_matched": [a.to_dict() for a in self.matched],
                "skills_missing": [a.to_dict() for a in self.missing], "tags": list(i.tags),
                "source": dict(i.source), "requirements_basis": self.assessments[0].requirement.basis
                if self.assessments else None,
                # Needs a degree the person has not said they have: shown, but as a longer route.
                "longer_route": bool(self.fit and self.fit.longer_route),
                "conflicts": list(self.fit.conflicts) if self.fit else [],
                "nearby": [{"scheme": o.scheme, "code": o.code, "uri": o.uri, "title": o.title, "score": n.score,
                            "shared": list(n.shared), "extra": list(n.extra), "source": dict(o.source)}
                           for o, n in self.nearby]}


def infer_query(info: OccupationInfo) -> Query:
    """The search that stands in for an occupation's skill list: its title and description against the skills."""
    text = f"{info.title}: {info.description}"[:400]
    return Query(text, type="skill", lang=info.language if info.language == "en" else None, k=INFERRED_SKILLS)


class Matcher:
    """Gathers candidate occupations from goals, experience, descriptions and skill anchors, then ranks them."""

    def __init__(self, index: Callable[[], LoadedIndex], embedder: Embedder, catalog: Callable[[], Catalog],
                 search: SearchService | None = None) -> None:
        self._index = index
        self.embedder = embedder
        self._catalog = catalog
        self._search = search

    def skill_index(self, catalog: Catalog) -> SkillOccupations:
        """Skills → occupations for this catalog version (built on first use, shared in the process)."""
        return for_catalog(catalog)

    def _infer(self, info: OccupationInfo) -> list[Requirement]:
        """Skills nearest an occupation's title and description, when the store has no relations for it."""
        if self._search is None:
            return []
        hits = self._search.search(infer_query(info))
        return [Requirement(f"{h.scheme}:{h.uri}", h.title, "esco-inferred", h.uri, None, tuple(h.tags)) for h in hits]

    def _embed_ahead(self, infos: list[OccupationInfo], catalog: Catalog) -> None:
        """The inferred-skill searches the likely top occupations will need, embedded in one model call: the light
        ESCO set has no relations, and one call for all is about twice as fast as one call each."""
        if self._search is None:
            return
        texts: list[str] = []
        for info in infos:
            if not info.essential and not catalog.tasks.get(info.key):
                texts += self._search.query_texts(infer_query(info))
        texts = list(dict.fromkeys(texts))
        if len(texts) > 1:
            self.embedder.embed_queries(texts)

    def _related(self, phrase: str, lang: str, k: int = RELATED_PER_PHRASE,
                 schemes: tuple[str, ...] | None = None) -> list[tuple[OccupationInfo, float]]:
        index, catalog = self._index(), self._catalog()
        languages = [lang] if lang in index.languages else None
        out = []
        for m in normalise_occupation(index, self.embedder, phrase, languages=languages, k=k, schemes=schemes):
            doc = index.docs[m.doc]
            info = catalog.occupation(doc.scheme, doc.code, doc.uri)
            if info is not None:
                out.append((info, m.score))
        return out

    def rank(self, profile: Profile, k: int = 10) -> list[OccupationResult]:
        """The k best occupations for the person: gathered from their evidence, kept realistic, assessed, with
        the occupations near each."""
        catalog = self._catalog()
        index = self.skill_index(catalog)
        found = self._candidates(profile, catalog, index)
        found = _realistic(found, profile)
        results = one_family(distinct(self._assessed(found, profile, catalog, k + FAMILIES_EXTRA)), k)
        for r in results:
            for near in index.nearby(r.info.key):
                other = catalog.occupations.get(near.occupation)
                if other is not None and fit(other, profile, asked=False).factor > 0:  # never past a stated limit
                    r.nearby.append((other, near))
        return results

    def _candidates(self, profile: Profile, catalog: Catalog, index: SkillOccupations) -> dict[str, OccupationResult]:
        """Every occupation some evidence points at, with its raw score and reasons."""
        found: dict[str, OccupationResult] = {}

        def add(info: OccupationInfo | None, weight: float, reason: dict[str, object]) -> None:
            if info is None:
                return
            result = found.setdefault(info.key, OccupationResult(info, 0.0))
            result.score += weight
            result.reasons.append(reason)

        def lookup(ref: OccupationRef) -> OccupationInfo | None:
            return catalog.occupation(ref.scheme, ref.code, ref.uri)

        lang = profile.language
        index_schemes = set(self._index().schemes)
        for goal in profile.goals.occupations:
            add(lookup(goal), WEIGHTS["goal"] * max(goal.score, 0.5), {"kind": "goal", "text": goal.title,
                                                                       "score": round(goal.score, 3)})
        for exp in profile.experience:
            what = exp.what + (f"（{exp.years:g}年）" if exp.years and lang == "zh" else
                               f" ({exp.years:g} years)" if exp.years else "")
            if exp.occupation:
                add(lookup(exp.occupation), WEIGHTS["experience"] * max(exp.occupation.score, 0.5) * seniority(exp.years),
                    {"kind": "experience", "text": what, "score": round(exp.occupation.score, 3)})
            # The whole story places the work better than its keyword: 在药店卖药三年, not 卖药.
            # Specific occupations and their families apart, so that groups do not crowd out occupations.
            specific = tuple(sorted(index_schemes - {FAMILY_SCHEME})) or None
            found_near = self._related(exp.account, lang, k=STORY_CANDIDATES, schemes=specific)
            if FAMILY_SCHEME in index_schemes:
                found_near += self._related(exp.account, lang, k=FAMILIES_PER_STORY, schemes=(FAMILY_SCHEME,))
            for info, score in found_near:
                add(info, WEIGHTS["related"] * score, {"kind": "related", "text": what, "score": round(score, 3)})
        for topic in profile.goals.topics:
            # A field named as the goal (新能源, elderly care): the occupations nearest it count as goals, weighed by
            # how near they are, so that experience and skills choose among them.
            near = self._related(topic, lang, k=TOPIC_CANDIDATES)
            if FAMILY_SCHEME in index_schemes:  # and its families apart, as for a story
                near += self._related(topic, lang, k=FAMILIES_PER_STORY, schemes=(FAMILY_SCHEME,))
            for info, score in {info.key: (info, score) for info, score in reversed(near)}.values():
                add(info, WEIGHTS["topic"] * score, {"kind": "topic", "text": topic, "score": round(score, 3)})
        for goal in profile.goals.occupations:
            for info, score in self._related(goal.title, lang):
                add(info, WEIGHTS["related"] * score, {"kind": "related", "text": goal.title,
                                                       "score": round(score, 3)})
        for claim in profile.skills:
            # English words with no ESCO relations to follow (the light ESCO set has none): the occupations whose
            # names and descriptions are nearest them stand in, as for a description of experience.
            # A phrase inside a story the story itself already placed counts half: one phrase ("hiring and
            # training") is weaker evidence than the whole account of the work.
            words = claim.evidence or claim.label
            inside = any(words in e.evidence for e in profile.experience)
            if not index.has_relations(claim.uri) and language_of(words) == "en" and lang == "en":
                for info, score in self._related(words, lang):
                    add(info, WEIGHTS["related"] * score * (0.5 if inside else 1.0),
                        {"kind": "related", "text": words, "score": round(score, 3)})
        support = index.support(profile.skills)
        strength = normalised({key: s.score for key, s in support.items()})
        sep = "、" if lang == "zh" else ", "
        for s in strongest(support, SKILL_CANDIDATES):
            add(catalog.occupations.get(s.occupation), WEIGHTS["skills"] * strength[s.occupation],
                {"kind": "skills", "text": sep.join(dict.fromkeys(w for w, _ in s.matched)),
                 "score": round(strength[s.occupation], 3), "skills": [label for _, label in s.matched][:6]})
        if profile.interests.top():
            # What the person likes (quiz answers, likes said in passing): occupations whose Holland code agrees.
            for rank, m in enumerate(occupations_for(profile.interests, catalog, k=INTEREST_CANDIDATES,
                                                     age=profile.age, education=profile.education,
                                                     lang=lang or "zh", limits=profile.constraints.limits)):
                # Its order (which spreads equal scores across families) survives ties later on.
                add(catalog.occupations.get(m.occupation), WEIGHTS["interest"] * m.score * (1 - 0.002 * rank),
                    {"kind": "interest", "text": m.reason, "score": round(m.score, 3)})
        if lang and any(r.info.language == lang for r in found.values()):
            # Occupations in the conversation's language first; the other scheme is reachable by the search API.
            found = {key: r for key, r in found.items() if r.info.language == lang}
        return found

    def _assessed(self, found: dict[str, OccupationResult], profile: Profile, catalog: Catalog,
                  k: int) -> list[OccupationResult]:
        """The top k after weighing how many of each occupation's requirements the person already meets.

        Assessing requirements costs a search per occupation without ESCO relations, so candidates are assessed
        strongest first and the rest skipped once they cannot reach the top k: coverage only ever lowers a score
        (factor 1 - COVERAGE_WEIGHT .. 1), so a raw score below the k-th final score is out. Exact pruning."""
        have = frozenset(c.uri for c in profile.skills if c.uri)
        # Coverage says something once a few skills are known; with one or two it would only reshuffle what the
        # person's story and goals found.
        weight = COVERAGE_WEIGHT * min(1.0, len(profile.skills) / COVERAGE_FULL_AT)
        ordered = sorted(found.values(), key=lambda r: (-r.score, r.info.key))
        self._embed_ahead([r.info for r in ordered[: 2 * k]], catalog)
        results: list[OccupationResult] = []
        finals: list[float] = []
        for r in ordered:
            if len(finals) >= k and r.score < sorted(finals, reverse=True)[k - 1]:
                break
            r.reasons = _merge_reasons(r.reasons)
            r.assessments = assess(requirements(catalog, r.info, self._infer, have), profile)
            share = len(r.matched) / len(r.assessments) if r.assessments else 0.0
            r.score = r.score * (1 - weight + weight * share)
            results.append(r)
            finals.append(r.score)
        results.sort(key=lambda r: (-r.score, r.info.key))
        if results:
            top = results[0].score or 1.0
            for r in results:
                r.score = r.score / top  # 1.0 = the best match for this person; shown as a relative strength
        return results[:k]


def distinct(results: list[OccupationResult]) -> list[OccupationResult]:
    """One card per title: the light ESCO set names several occupations alike ("rental service" five times), and a
    person cannot tell them apart; the strongest stays."""
    seen: set[str] = set()
    out = []
    for r in results:
        key = r.info.title.casefold().strip()
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def one_family(results: list[OccupationResult], k: int) -> list[OccupationResult]:
    """Specific occupations and, once, their broad family. ESCO occupations and ISCO-08 unit groups (the light ESCO
    set carries both, in English) compete for the same places: a list of groups tells a person little, a list with
    no group hides the official code a counsellor files under. So the best group stays, among the first three, and
    the other groups give their places to specific occupations."""
    groups = [r for r in results if r.info.scheme == FAMILY_SCHEME]
    if not groups or len(groups) == len(results):
        return results[:k]
    best = groups[0]
    kept = [r for r in results if r.info.scheme != FAMILY_SCHEME]
    at = min(results.index(best), FAMILY_BY)
    if best.score >= FAMILY_MIN_SHARE * results[0].score:
        kept.insert(at, best)
    return kept[:k]


def seniority(years: float | None) -> float:
    """Years in a job make it stronger evidence: ten years of it count half again as much as a few months."""
    return 1.0 + YEARS_WEIGHT * min(years or 0.0, YEARS_CAP) / YEARS_CAP


def _realistic(found: dict[str, OccupationResult], profile: Profile) -> dict[str, OccupationResult]:
    """Drop what contradicts the person's stated limits (unless they asked for it), lower longer routes."""
    kept = {}
    for key, r in found.items():
        kinds = {reason["kind"] for reason in r.reasons}
        r.fit = fit(r.info, profile, asked="goal" in kinds, worked="experience" in kinds)
        if r.fit.factor > 0.0:
            r.score *= r.fit.factor
            kept[key] = r
    return kept


def _merge_reasons(reasons: list[dict[str, object]]) -> list[dict[str, object]]:
    """One reason per (kind, text), keeping the highest score; goals and experience before suggestions."""
    best: dict[tuple[object, object], dict[str, object]] = {}
    for r in reasons:
        key = (r["kind"], r["text"])
        if key not in best or float(r["score"]) > float(best[key]["score"]):  # type: ignore[arg-type]
            best[key] = r
    order = {k: i for i, k in enumerate(WEIGHTS)}
    return sorted(best.values(), key=lambda r: (order.get(str(r["kind"]), 9), -float(r["score"])))  # type: ignore[arg-type]
