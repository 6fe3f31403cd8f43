"""Occupations proposed by skills: ESCO's essential/optional relations and CSCO's task lines, each skill weighted by
how telling it is (an IDF over the occupations that ask for it: "manage a team" says little, "operate a forklift" a lot).

Built once per store version from the catalog. A skill anchored in ESCO votes for every occupation that lists it; a
skill in Chinese (or any claim without ESCO relations) is compared with every CSCO task line, so 焊接参数 reaches
all the occupations whose tasks set welding parameters, not only the one whose task the anchoring picked.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.retrieval.catalog import Catalog, OccupationInfo, Task
from assistant.understanding.profile import SkillClaim
from assistant.index.lexical import LexicalIndex
from assistant.text import language_of

ESSENTIAL, OPTIONAL = 1.0, 0.5  # an essential skill says more about an occupation than an optional one
TASK_HITS = 60  # task lines compared per skill phrase
TASK_FLOOR = 0.35  # a task line scoring below this share of the phrase's own best line is not a vote
# Occupations with many skills would collect votes from anything; dividing by the size of their skill profile to
# this power keeps a broad occupation from outranking the one the skills describe (tuned on a development sample).
SIZE_POWER = 0.5
IDF_POWER = 2.0  # votes weigh idf² (the cosine of TF-IDF skill vectors): a rare skill outweighs several common ones
NEARBY = 3  # nearby occupations shown per recommended one


@dataclass(frozen=True)
class Nearby:
    """Another occupation within reach of one: what the two share and what it asks in addition."""

    occupation: str  # OccupationInfo.key
    score: float  # share of skills in common, 0..1
    shared: tuple[str, ...]  # skill labels or task lines of the first occupation that the other one asks too
    extra: tuple[str, ...]  # what the other one asks in addition (most telling first)


@dataclass
class SkillSupport:
    """How strongly a person's skills point at one occupation, and which of their skills did."""

    occupation: str  # OccupationInfo.key
    score: float = 0.0
    matched: list[tuple[str, str]] = field(default_factory=list)  # (the person's words, the requirement they meet)


class SkillOccupations:
    """Inverted indexes from skills to occupations for one catalog version."""

    def __init__(self, catalog: Catalog) -> None:
        self.hash = catalog.hash
        self._occupations = catalog.occupations
        by_skill: dict[str, list[tuple[str, float]]] = {}
        for info in catalog.occupations.values():
            for uri in info.essential:
                by_skill.setdefault(uri, []).append((info.key, ESSENTIAL))
            for uri in info.optional:
                by_skill.setdefault(uri, []).append((info.key, OPTIONAL))
        listed = sum(1 for i in catalog.occupations.values() if i.essential or i.optional)
        self._by_skill = by_skill
        self._idf = {uri: math.log(1 + listed / len(occs)) for uri, occs in by_skill.items()}
        self._size: dict[str, float] = {}
        for info in catalog.occupations.values():
            mass = sum((ESSENTIAL * self._idf[u]) ** 2 for u in info.essential)
            mass += sum((OPTIONAL * self._idf[u]) ** 2 for u in info.optional)
            if mass:
                self._size[info.key] = math.sqrt(mass)
        self._tasks: list[Task] = [t for lines in catalog.tasks.values() for t in lines]
        self._task_index = LexicalIndex.build([t.text for t in self._tasks]) if self._tasks else None
        per_occupation: dict[str, int] = {}
        for t in self._tasks:
            per_occupation[t.occupation] = per_occupation.get(t.occupation, 0) + 1
        self._task_count = per_occupation
        self._labels = {uri: label for uri, (label, _tags, _src) in catalog.skills.items()}
        self._nearby_cache: dict[str, list[Nearby]] = {}
        self._nearby_lock = threading.Lock()

    def has_relations(self, uri: str | None) -> bool:
        return bool(uri) and uri in self._by_skill

    def support(self, claims: Iterable[SkillClaim]) -> dict[str, SkillSupport]:
        """Every occupation the claims point at, with a score that grows with telling, shared skills."""
        found: dict[str, SkillSupport] = {}
        raw: dict[str, float] = {}

        def vote(key: str, weight: float, words: str, label: str) -> None:
            s = found.setdefault(key, SkillSupport(key))
            raw[key] = raw.get(key, 0.0) + weight
            if (words, label) not in s.matched:
                s.matched.append((words, label))

        for claim in claims:
            strength = max(claim.confidence, 0.5) if claim.confirmed else claim.confidence
            words = claim.evidence or claim.label
            related = bool(claim.uri) and claim.uri in self._by_skill
            if related:
                idf = self._idf[claim.uri]
                for key, relation in self._by_skill[claim.uri]:
                    vote(key, strength * idf ** IDF_POWER * relation, words, claim.label)
            # Chinese words are compared with the CSCO task lines even when they were anchored in ESCO: that anchor
            # crossed languages, and the Chinese occupations are the ones a Chinese conversation recommends.
            if not related or language_of(words) == "zh":
                for key, share, line in self._task_votes(words):
                    vote(key, strength * share, words, line)
        for key, s in found.items():
            size = self._size.get(key) or math.sqrt(max(self._task_count.get(key, 1), 1))
            s.score = raw[key] / size ** SIZE_POWER
        return found

    def _task_votes(self, phrase: str) -> list[tuple[str, float, str]]:
        """(occupation key, similarity 0..1 relative to the best line, the task line) for one phrase."""
        if self._task_index is None or not phrase.strip():
            return []
        ids, scores = self._task_index.search(phrase, TASK_HITS)
        if len(ids) == 0 or scores[0] <= 0:
            return []
        top = float(scores[0])
        best: dict[str, tuple[float, str]] = {}
        for i, s in zip(ids.tolist(), scores.tolist()):
            share = float(s) / top
            if share < TASK_FLOOR:
                break
            task = self._tasks[i]
            if share > best.get(task.occupation, (0.0, ""))[0]:
                best[task.occupation] = (share, task.text)
        # The more occupations a phrase reaches equally well, the less it says about any one of them.
        spread = sum(1 for share, _ in best.values() if share >= 0.8)
        telling = 1.0 / math.log2(1 + max(spread, 1))
        return [(key, share * telling, line) for key, (share, line) in best.items()]

    def nearby(self, key: str, k: int = NEARBY) -> list[Nearby]:
        """Up to k other occupations sharing the most (telling) skills with this one, same scheme: where someone
        who does this work could also go, with what the two share and what the other one asks in addition."""
        with self._nearby_lock:
            if key in self._nearby_cache:
                return self._nearby_cache[key][:k]
        info = self._occupations.get(key)
        out: list[Nearby] = []
        if info is not None and (info.essential or info.optional):
            out = self._nearby_esco(info)
        elif info is not None and info.tasks:
            out = self._nearby_tasks(info)
        with self._nearby_lock:
            self._nearby_cache[key] = out
        return out[:k]

    def _nearby_esco(self, info: OccupationInfo) -> list[Nearby]:
        mine = {u: ESSENTIAL for u in info.essential} | {u: OPTIONAL for u in info.optional if u not in info.essential}
        shared: dict[str, float] = {}
        for uri, weight in mine.items():
            for other, relation in self._by_skill.get(uri, ()):
                if other != info.key:
                    shared[other] = shared.get(other, 0.0) + weight * relation * self._idf[uri] ** 2
        out = []
        for other, overlap in sorted(shared.items(), key=lambda kv: -kv[1] / self._size.get(kv[0], 1.0))[:NEARBY]:
            o = self._occupations[other]
            both = [u for u in o.essential if u in mine]
            extra = sorted((u for u in o.essential if u not in mine), key=lambda u: -self._idf[u])
            score = overlap / (self._size.get(other, 1.0) * self._size.get(info.key, 1.0))
            out.append(Nearby(other, round(score, 4), tuple(self._label(u) for u in both[:6]),
                              tuple(self._label(u) for u in extra[:6])))
        return out

    def _nearby_tasks(self, info: OccupationInfo) -> list[Nearby]:
        shared: dict[str, list[tuple[str, str, float]]] = {}
        for task in info.tasks:
            for other, share, line in self._task_votes(task):
                if other != info.key and share >= 0.5:
                    shared.setdefault(other, []).append((task, line, share))
        ranked = sorted(shared.items(), key=lambda kv: (-sum(x[2] for x in kv[1]) /
                                                        math.sqrt(self._task_count.get(kv[0], 1)), kv[0]))
        out = []
        for other, pairs in ranked[:NEARBY]:
            o = self._occupations[other]
            matched_lines = {line for _, line, _ in pairs}
            score = sum(x[2] for x in pairs) / math.sqrt(self._task_count.get(other, 1) * max(len(info.tasks), 1))
            out.append(Nearby(other, round(score, 4), tuple(dict.fromkeys(t for t, _, _ in pairs))[:6],
                              tuple(t for t in o.tasks if t not in matched_lines)[:6]))
        return out

    def _label(self, uri: str) -> str:
        return self._labels.get(uri, uri)


def normalised(scores: dict[str, float]) -> dict[str, float]:
    """Scores divided by the best one (1.0 = the occupation the skills point at most)."""
    if not scores:
        return {}
    top = max(scores.values()) or 1.0
    return {k: v / top for k, v in scores.items()}


def strongest(support: dict[str, SkillSupport], k: int) -> list[SkillSupport]:
    """The k best supported occupations, best first (ties in the order they were found)."""
    return sorted(support.values(), key=lambda s: -s.score)[:k]


_BUILT: dict[str, SkillOccupations] = {}
_BUILT_LOCK = threading.Lock()


def for_catalog(catalog: Catalog) -> SkillOccupations:
    """The index for this catalog's content, shared by every service in the process (one build per store version:
    about a second of Chinese word segmentation for the bundled CSCO task lines)."""
    with _BUILT_LOCK:
        found = _BUILT.get(catalog.hash)
        if found is None:
            found = SkillOccupations(catalog)
            if len(_BUILT) >= 2:  # the current store version and the one before it are enough
                _BUILT.pop(next(iter(_BUILT)))
            _BUILT[catalog.hash] = found
        return found
