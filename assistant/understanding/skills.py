"""Skills from free text: find the phrases that name a skill, then anchor each in ESCO skills or CSCO tasks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from assistant.errors import QueryError
from assistant.retrieval.catalog import Catalog
from assistant.understanding.clauses import items, parse
from assistant.understanding.overlap import overlap
from assistant.index.loaded import Filters, LoadedIndex
from assistant.retrieval.crosslingual import language_of
from assistant.retrieval.search import MAX_QUERY_CHARS, Query, SearchService

# A phrase must share this share of its words with a CSCO task to be anchored there.
TASK_OVERLAP = 0.5
# e5 across languages is weak for short phrases (看图纸 → "handle paperwork"): such links count for less.
OTHER_LANGUAGE_FACTOR = 0.6
# Below this a phrase is kept in the person's words only (id "text:…"), never silently mapped to a wrong concept.
MIN_CONFIDENCE = 0.35
MAX_PHRASE_CHARS = 60
TASK_OCCUPATIONS = 15  # occupations whose task lines are compared with a phrase


@dataclass(frozen=True)
class SkillLink:
    """A candidate taxonomy anchor for a phrase."""

    id: str
    scheme: str
    uri: str | None
    code: str | None
    label: str
    score: float
    basis: str  # esco-skill | csco-task


@dataclass(frozen=True)
class SkillMention:
    """A phrase in the text that names a skill, with its span and ranked anchors (best first)."""

    text: str
    span: tuple[int, int]
    kind: str  # skill | experience | other
    links: list[SkillLink] = field(default_factory=list)

    @property
    def best(self) -> SkillLink | None:
        return self.links[0] if self.links else None

    @property
    def confidence(self) -> float:
        return self.links[0].score if self.links else 0.0


class SkillExtractor:
    """Runs on the current index (ESCO skills) and the store catalog (CSCO tasks); no hand-made keyword lists."""

    def __init__(self, search: SearchService, index: Callable[[], LoadedIndex],
                 catalog: Callable[[], Catalog | None] | None = None) -> None:
        self.search = search
        self._index = index
        self._catalog = catalog or (lambda: None)

    def link(self, phrase: str, k: int = 5, prefer: frozenset[str] = frozenset()) -> list[SkillLink]:
        """Anchors for one phrase: ESCO skills by fused search, CSCO task lines by shared words; best first."""
        phrase = phrase.strip()[:MAX_PHRASE_CHARS]
        if not phrase:
            return []
        lang = language_of(phrase)
        links: list[SkillLink] = []
        try:
            hits = self.search.search(Query(phrase, type="skill", k=k))
        except QueryError:  # an index without skills (scheme/language checks) simply offers no ESCO anchors
            hits = []
        for h in hits:
            factor = 1.0 if h.language == lang else OTHER_LANGUAGE_FACTOR
            links.append(SkillLink(f"{h.scheme}:{h.uri}", h.scheme or "", h.uri, None, h.title,
                                   round(h.score * factor, 4), "esco-skill"))
        catalog = self._catalog()
        if catalog is not None and catalog.tasks:
            links += self._task_links(phrase, catalog, prefer)
        links.sort(key=lambda x: -x.score)
        return _dedupe(links)[:k]

    def link_texts(self, phrase: str, k: int = 5) -> list[str]:
        """The texts link(phrase) will embed, so a caller can embed a message's phrases in one batch first."""
        phrase = phrase.strip()[:MAX_PHRASE_CHARS]
        try:
            return self.search.query_texts(Query(phrase, type="skill", k=k)) if phrase else []
        except QueryError:
            return []

    def _task_links(self, phrase: str, catalog: Catalog, prefer: frozenset[str]) -> list[SkillLink]:
        """CSCO task lines that share most of the phrase's words; the index finds the occupations, overlap the line.

        `prefer` holds occupation keys the context points at (the person's own job): among equal overlaps their
        tasks win, so 电焊 from a welder is anchored in the welder's task, not in assembling welding machines.
        """
        index = self._index()
        docs = index.doc_mask(Filters(types=("occupation",), leaf_only=True))
        units, _ = index.lexical_search(phrase, TASK_OCCUPATIONS, index.unit_mask(docs, ("tasks",)))
        seen: set[str] = set()
        links = []
        for unit in units.tolist():
            doc = index.docs[int(index.unit_doc[unit])]
            info = catalog.occupation(doc.scheme, doc.code, doc.uri)
            if info is None or info.key in seen:
                continue
            seen.add(info.key)
            for task in catalog.tasks.get(info.key, ()):
                share = overlap(phrase, task.text)
                if share >= TASK_OVERLAP:
                    # Shared words are strong evidence, but a task line is long: keep it below an exact label.
                    score = 0.4 + 0.5 * share + (0.05 if info.key in prefer else 0.0)
                    links.append(SkillLink(task.id, info.scheme, None, f"{info.code}#task{task.ordinal}",
                                           task.text, round(score, 4), "csco-task"))
        return links

    def phrases(self, text: str) -> list[tuple[str, tuple[int, int], str]]:
        """Candidate skill phrases (phrase, span, clause kind) before any lookup; goal clauses are left out."""
        out = []
        for clause in parse(text):
            if clause.kind == "goal" or not clause.what:
                continue
            pieces = ([(clause.what, clause.what_span[0])] if clause.kind == "experience"
                      else items(clause.what, clause.what_span[0]))
            out += [(p, (at, at + len(p)), clause.kind) for p, at in pieces if _worth_linking(p)]
        return out

    def mentions(self, text: str, *, min_confidence: float = MIN_CONFIDENCE) -> list[SkillMention]:
        """Skill phrases in a message or a job-ad sentence, with anchors.

        Skill and experience clauses ("会看图纸", "I did welding") always yield mentions; other clauses only when
        an anchor is confident, since most of them are about pay, place or the company.
        """
        out: list[SkillMention] = []
        for phrase, span, kind in self.phrases(text):
            mention = SkillMention(phrase, span, kind, self.link(phrase))
            if kind in ("skill", "experience") or mention.confidence >= min_confidence:
                out.append(mention)
        return out

    def rank_esco(self, text: str, k: int = 10) -> list[SkillLink]:
        """ESCO skills for a whole sentence: the sentence and each of its phrases searched, scores summed (CombSUM).

        The sentence alone finds the gist; its phrases add the skills it lists. Summing similarities rewards a skill
        that several of them find. Chosen on the benchmark's validation split over reciprocal-rank fusion and max,
        which helped less (benchmarks/skill_extraction_en.py).
        """
        scores: dict[str, float] = {}
        by_id: dict[str, SkillLink] = {}
        queries = dict.fromkeys([text[:MAX_QUERY_CHARS]] + [p[:MAX_PHRASE_CHARS] for p, _, _ in self.phrases(text)])
        for q in queries:
            try:
                hits = self.search.search(Query(q, type="skill", k=k))
            except QueryError:
                continue
            for h in hits:
                link_id = f"{h.scheme}:{h.uri}"
                by_id.setdefault(link_id, SkillLink(link_id, h.scheme or "", h.uri, None, h.title, h.score,
                                                    "esco-skill"))
                scores[link_id] = scores.get(link_id, 0.0) + h.score
        ranked = sorted(scores, key=lambda i: -scores[i])[:k]
        return [replace(by_id[i], score=round(scores[i], 4)) for i in ranked]


def _worth_linking(phrase: str) -> bool:
    """Skip fragments that cannot name a skill: single characters, numbers, bare pronouns."""
    core = re.sub(r"[\s\W_]+", "", phrase)
    return len(core) >= 2 and not core.isdigit()


def _dedupe(links: list[SkillLink]) -> list[SkillLink]:
    seen: set[str] = set()
    out = []
    for x in links:
        if x.id not in seen:
            seen.add(x.id)
            out.append(x)
    return out

