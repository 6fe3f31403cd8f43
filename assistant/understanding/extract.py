"""One message → profile updates: experience, skills, goals (retrieval) and constraints, education, places (patterns)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.understanding.clauses import parse
from assistant.understanding.overlap import features
from assistant.understanding.patterns import extract_facts
from assistant.understanding.profile import Experience, OccupationRef, Profile, SkillClaim
from assistant.understanding.skills import SkillExtractor, SkillMention
from assistant.index.embedders import Embedder
from assistant.index.loaded import LoadedIndex
from assistant.retrieval.normalise import normalise_occupation, normalise_texts

# An experience or goal phrase is taken as an occupation only when the normaliser is this sure.
MIN_OCCUPATION_SCORE = 0.3
# Skill claims below this are kept in the person's words without a taxonomy anchor.
MIN_SKILL_CONFIDENCE = 0.45


@dataclass
class Extraction:
    """What one message added; the dialogue uses it to decide what to confirm or ask next."""

    experience: list[Experience] = field(default_factory=list)
    skills: list[SkillClaim] = field(default_factory=list)
    goals: list[OccupationRef] = field(default_factory=list)
    goal_text: list[str] = field(default_factory=list)
    constraints: dict[str, object] = field(default_factory=dict)
    education: str | None = None
    languages: list[str] = field(default_factory=list)
    age: int | None = None

    def is_empty(self) -> bool:
        return not (self.experience or self.skills or self.goals or self.goal_text or self.constraints
                    or self.education or self.languages or self.age)


class ProfileExtractor:
    """Deterministic extraction; an optional language model may add phrases, which go through the same anchoring."""

    def __init__(self, skills: SkillExtractor, index: Callable[[], LoadedIndex], embedder: Embedder) -> None:
        self.skills = skills
        self._index = index
        self.embedder = embedder

    def occupation(self, phrase: str, lang: str) -> OccupationRef | None:
        """The occupation a title or activity names, in the conversation's language when the index has it."""
        index = self._index()
        languages = [lang] if lang in index.languages else None
        found = normalise_occupation(index, self.embedder, phrase, languages=languages, k=5)
        if not found or found[0].score < MIN_OCCUPATION_SCORE:
            return None
        # An activity names its doer best: "welding" is a welder before a welding engineer (same stem, nothing more).
        best = max(found, key=lambda m: m.score + 0.3 * _jaccard(phrase, index.docs[m.doc].title))
        doc = index.docs[best.doc]
        return OccupationRef(doc.scheme or "", doc.code, doc.uri, doc.title, best.score)

    def is_title(self, phrase: str) -> bool:
        """Whether a phrase is itself an occupation name (服务员, cook) rather than an activity (电焊, welding)."""
        names = self._index().names()
        key = phrase.casefold().strip()
        return key in names or (key.endswith("s") and key[:-1] in names)

    def _prefetch(self, text: str, lang: str) -> None:
        """Embed every text the extraction below will search with in one model call (a batch of four costs about
        as much as two single calls); the searches then find the vectors in the embedder's memory."""
        index = self._index()
        languages = [lang] if lang in index.languages else None
        texts: list[str] = []
        for clause in parse(text):
            if clause.kind in ("experience", "goal") and clause.what:
                texts += normalise_texts(index, clause.what, languages=languages)
                if clause.kind == "experience":
                    texts += self.skills.link_texts(clause.what)
        for phrase, _span, _kind in self.skills.phrases(text):
            texts += self.skills.link_texts(phrase)
        texts = list(dict.fromkeys(texts))
        if len(texts) > 1:
            self.embedder.embed_queries(texts)

    def extract(self, text: str, lang: str, *, extra_phrases: dict[str, list[str]] | None = None) -> Extraction:
        out = Extraction()
        facts = extract_facts(text)
        self._prefetch(text, lang)
        for clause in parse(text):
            if clause.kind == "experience" and clause.what:
                occ = self.occupation(clause.what, lang)
                years = _years(clause.duration) if clause.duration else None
                out.experience.append(Experience(clause.what, occ, clause.where, years, clause.text))
                if not self.is_title(clause.what):
                    # An activity (电焊) is also a skill; anchor it among the tasks of the job it points at.
                    prefer = frozenset({f"{occ.scheme}:{occ.code or occ.uri}"}) if occ else frozenset()
                    mention = SkillMention(clause.what, clause.what_span, "experience",
                                           self.skills.link(clause.what, prefer=prefer))
                    out.skills.append(_claim(mention, "experience"))
            elif clause.kind == "goal":
                out.goal_text.append(clause.text)
                if clause.what:
                    occ = self.occupation(clause.what, lang)
                    if occ:
                        out.goals.append(occ)
        for mention in self.skills.mentions(text):
            if mention.kind == "skill":
                out.skills.append(_claim(mention, "said"))
        for phrase in (extra_phrases or {}).get("skills", []):
            out.skills.append(_claim(SkillMention(phrase, (0, 0), "skill", self.skills.link(phrase)), "said"))
        if facts.places:
            place = next((p for p in facts.places if p.level != "province"), facts.places[0])
            out.constraints["location"] = place.name
            out.constraints["province"] = place.province
        for name in ("hours_per_week", "budget", "currency", "mode", "wants_paid", "wants_apprenticeship"):
            value = getattr(facts, name)
            if value is not None:
                out.constraints[name] = value
        if facts.needs:
            out.constraints["needs"] = list(facts.needs)
        if facts.limits:
            out.constraints["limits"] = list(facts.limits)
        if facts.travel is not None:
            out.constraints["travel"] = facts.travel
        if facts.numbers_of_years_experience and out.experience and out.experience[-1].years is None:
            out.experience[-1].years = facts.numbers_of_years_experience
        out.education, out.languages, out.age = facts.education, list(facts.languages), facts.age
        return out


def apply(profile: Profile, found: Extraction) -> None:
    """Merge an extraction into the profile: new items are added, stated constraints replace old ones."""
    for exp in found.experience:
        if not any(e.what == exp.what for e in profile.experience):
            profile.experience.append(exp)
    for claim in found.skills:
        profile.add_skill(claim)
    for goal in found.goals:
        if not any((g.scheme, g.code, g.uri) == (goal.scheme, goal.code, goal.uri) for g in profile.goals.occupations):
            profile.goals.occupations.append(goal)
    profile.goals.text += [t for t in found.goal_text if t not in profile.goals.text]
    for name, value in found.constraints.items():
        if name in ("needs", "limits"):  # said over several turns: each adds to what was said before
            value = list(dict.fromkeys([*getattr(profile.constraints, name), *value]))
        setattr(profile.constraints, name, value)
    if found.education:
        profile.education = found.education
    profile.languages += [x for x in found.languages if x not in profile.languages]
    if found.age:
        profile.age = found.age


def _claim(mention: SkillMention, origin: str) -> SkillClaim:
    best = mention.best
    if best is None or best.score < MIN_SKILL_CONFIDENCE:
        return SkillClaim(f"text:{mention.text}", mention.text, None, None, None, mention.text,
                          round(best.score if best else 0.0, 4), False, origin)
    # ESCO skills carry their own label; a CSCO task is a long line, so the person's words stay the label.
    label = best.label if best.basis == "esco-skill" else mention.text
    return SkillClaim(best.id, label, best.scheme, best.uri, best.code, mention.text, best.score, False, origin)


def _jaccard(a: str, b: str) -> float:
    fa, fb = features(a), features(b)
    return len(fa & fb) / len(fa | fb) if fa and fb else 0.0


def _years(duration: str) -> float | None:
    """三年 → 3, 两年半 → 2.5, 18个月 → 1.5, "three years" → 3; a bare "3+" (from "3+ years as …") counts as years."""
    for text in (duration, f"{duration} years"):
        found = extract_facts(text).durations
        if found:
            return found[0].years
    return None
