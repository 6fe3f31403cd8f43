"""Skills from free text: find the phrases that name a skill, then anchor each in ESCO skills or CSCO tasks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.errors import QueryError
from assistant.index.embedders import Embedder
from assistant.index.loaded import Filters, LoadedIndex
from assistant.retrieval.catalog import Catalog
from assistant.retrieval.search import MAX_QUERY_CHARS, Query, SearchService
from assistant.text import language_of
from assistant.understanding.clauses import Clause, items, parse
from assistant.understanding.overlap import features, overlap
from assistant.understanding.spans import clean, has_han, skill_spans
from assistant.understanding.spans_en import english_phrases

# A phrase must share this share of its words with a CSCO task to be anchored there.
TASK_OVERLAP = 0.5
# e5 across languages is weak for short phrases (看图纸 → "handle paperwork"): such links count for less.
OTHER_LANGUAGE_FACTOR = 0.6
# Below this a phrase is kept in the person's words only (id "text:…"), never silently mapped to a wrong concept.
MIN_CONFIDENCE = 0.35
MAX_PHRASE_CHARS = 60
TASK_OCCUPATIONS = 15  # occupations whose task lines are compared with a phrase

# rank_esco: how a sentence's skills are ranked. Chosen on the validation split of the English benchmark
# (benchmarks/skill_extraction_en.py), confirmed on its test split; see docs/benchmarks.md.
RANK_PHRASES = 24  # phrases of one text searched at most (a job-ad sentence has 2-8)
SENTENCE_DEPTH, PHRASE_DEPTH = 100, 50  # dense candidates per query
LEXICAL_DEPTH, PHRASE_LEXICAL_DEPTH = 50, 20  # BM25 candidates for the sentence and for each phrase
PHRASE_WEIGHT = 1.0  # best phrase cosine, added to the sentence cosine
LEXICAL_WEIGHT = PHRASE_LEXICAL_WEIGHT = 0.05  # BM25 scaled to 0..1 by the query's best
DIVERSITY = 0.1  # MMR: a skill sharing words with one already ranked gives up this much per unit of Jaccard
DIVERSITY_POOL = 30  # candidates re-ordered by MMR
# The second model's reading of English skills (index/skill_views.py): its cosine of the sentence (+ half the
# best phrase's) with a skill's best label and with its definition, each added at half weight.
VIEW_LABEL_WEIGHT = VIEW_DEFINITION_WEIGHT = 0.5
VIEW_PHRASE_WEIGHT = 0.5
# e5's cosine of the sentence and of the best phrase with a skill's title embedded as a query (a short phrase
# meets a short label on the same side of e5's query/passage asymmetry).
TITLE_QUERY_WEIGHT = 0.75


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
                 catalog: Callable[[], Catalog | None] | None = None, views: Embedder | None = None) -> None:
        self.search = search
        self._index = index
        self._catalog = catalog or (lambda: None)
        self._views = views  # the second model, when the index holds its reading of the skills

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
        """Candidate skill phrases (phrase, span, kind) before any lookup; goal clauses are left out.

        kind is the clause's: skill (会/熟悉/掌握…, "I can…"), experience (做过…, "I worked as…") or other.
        Chinese text is cut into spans by the grammar in spans.py (frame words stripped, list items apart); a span
        in an "other" clause is offered only when its clause or line item carries a requirement or duty cue.
        English text keeps its clause items (clauses.py).
        """
        clauses = parse(text)
        if not has_han(text):
            return self._clause_phrases(clauses)
        spans = skill_spans(text)
        out = []
        for clause in clauses:
            # An experience clause (我在工厂做了三年电焊) is taken whole, unless the grammar found cued spans in it:
            # then it is a job-ad duty (做好前期接待) and its spans stand for it.
            if clause.kind == "experience" and clause.what and _worth_linking(clause.what) and not any(
                    s.cue == "frame" and clause.span[0] <= s.start < clause.span[1] for s in spans):
                out.append((clause.what, clause.what_span, "experience"))
        for span in spans:
            clause = _clause_at(clauses, span.start)
            kind = clause.kind if clause is not None else "other"
            if kind == "experience" and span.cue == "bare":
                continue  # taken whole above
            if kind == "skill" and (span.cue == "frame" or _SAYS_SKILL.search(clause.text)):
                out.append((span.text, (span.start, span.end), "skill"))
            elif span.cue == "frame":
                # In a goal clause only a framed span counts (具有较强的计划、组织能力 is no plan), and not as a claim.
                out.append((span.text, (span.start, span.end), "other" if kind == "goal" else kind))
        return sorted(out, key=lambda p: p[1])

    @staticmethod
    def _clause_phrases(clauses: list[Clause]) -> list[tuple[str, tuple[int, int], str]]:
        out = []
        for clause in clauses:
            if clause.kind == "goal" or not clause.what:
                continue
            pieces = ([(clause.what, clause.what_span[0])] if clause.kind == "experience"
                      else items(clause.what, clause.what_span[0]))
            out += [(p, (at, at + len(p)), clause.kind) for p, at in pieces
                    if _worth_linking(p) and _worth_linking(clean(p))]  # not markup debris (&lt, br&gt)
        return out

    def mentions(self, text: str, *, min_confidence: float = MIN_CONFIDENCE) -> list[SkillMention]:
        """Skill phrases in a message or a job-ad sentence, with anchors.

        Skill and experience clauses ("会看图纸", "I did welding") always yield mentions. Chinese spans from other
        clauses were already kept only where a requirement or duty cue frames them (熟悉…, …能力, 负责…); the
        taxonomy's confidence does not tell a skill from a company blurb there (measured on the span benchmark).
        English phrases from other clauses need a confident anchor, since most are about pay, place or company.
        """
        chinese = has_han(text)
        out: list[SkillMention] = []
        for phrase, span, kind in self.phrases(text):
            mention = SkillMention(phrase, span, kind, self.link(phrase))
            if kind in ("skill", "experience") or chinese or mention.confidence >= min_confidence:
                out.append(mention)
        return out

    def rank_phrases(self, text: str) -> list[str]:
        """The phrases rank_esco searches besides the whole text: English clauses and list items without their
        frame words (spans_en.py), or the Chinese skill spans."""
        if has_han(text):
            found = [s.text for s in skill_spans(text)]
        else:
            found = [p.text for p in english_phrases(text)]
        return list(dict.fromkeys(p[:MAX_QUERY_CHARS] for p in found if p.strip()))[:RANK_PHRASES]

    def rank_esco(self, text: str, k: int = 10) -> list[SkillLink]:
        """Skills for a whole sentence (a job-ad line), best first: what it names, from the sentence and its phrases.

        The sentence's embedding finds the gist; its phrases ("HTML", "debug issues in a full stack environment")
        find the several skills it lists. Candidates come from dense and BM25 search with each; every candidate is
        then scored exactly against every query: cosine with the sentence + the best cosine with a phrase +
        a little BM25 (sentence and best phrase, each scaled by its best hit). The top is re-ordered by maximal
        marginal relevance on title words, so five variants of one skill ("work in a logistics team", "work in an
        aviation team") do not fill the top five. One model call embeds all the queries.
        Chosen on the validation split of benchmarks/skill_extraction_en.py and confirmed on its test split (see
        docs/benchmarks.md): the earlier sum of each search's fused scores, phrase vectors with e5's "passage: "
        prefix, and MMR on embedding similarity scored lower.
        """
        text = text.strip()[:MAX_QUERY_CHARS]
        if not text:
            return []
        index = self._index()
        docs = index.doc_mask(Filters(types=("skill",)))
        if not docs.any():
            return []
        phrases = [p for p in self.rank_phrases(text) if p != text]
        vectors = self.search.embedder.embed_queries([text, *phrases])
        dense_rows = index.unit_mask(docs)[index.dense_unit]
        candidates: set[int] = set()
        if dense_rows.any():
            depth = [SENTENCE_DEPTH] + [PHRASE_DEPTH] * len(phrases)
            rows, _ = index.dense.search(vectors, max(depth), dense_rows)
            for q, row in enumerate(rows):
                found = [int(index.unit_doc[index.dense_unit[r]]) for r in row[:depth[q]].tolist() if r >= 0]
                candidates.update(found)
        lexical = _lexical_scores(index, docs, text, LEXICAL_DEPTH)
        phrase_lexical: dict[int, float] = {}
        for phrase in phrases:
            for doc, score in _lexical_scores(index, docs, phrase, PHRASE_LEXICAL_DEPTH).items():
                phrase_lexical[doc] = max(phrase_lexical.get(doc, 0.0), score)
        candidates.update(lexical, phrase_lexical)
        if not candidates:
            return []
        order = sorted(candidates)
        cosine = _exact_cosines(index, vectors, order)  # (queries, candidates)
        score = _sentence_and_phrases(cosine, PHRASE_WEIGHT)
        score = score + np.array([LEXICAL_WEIGHT * lexical.get(d, 0.0) + PHRASE_LEXICAL_WEIGHT *
                                  phrase_lexical.get(d, 0.0) for d in order])
        score = score + self._other_readings(index, [text, *phrases], vectors, order)
        ranked = _diverse([order[i] for i in np.argsort(-score, kind="stable")[:DIVERSITY_POOL]],
                          {d: float(s) for d, s in zip(order, score)}, index, k)
        out = []
        for doc_id, value in ranked:
            doc = index.docs[doc_id]
            out.append(SkillLink(f"{doc.scheme}:{doc.uri}", doc.scheme or "", doc.uri, doc.code, doc.title,
                                 round(value, 4), "esco-skill"))
        return out

    def _other_readings(self, index: LoadedIndex, queries: list[str], vectors: np.ndarray,
                        docs: list[int]) -> np.ndarray | float:
        """The index's other readings of the candidates (index/skill_views.py): the second model's and the titles
        as e5 queries; 0 where the index lacks them, or this process lacks the model they were read with."""
        views, model, main = index.skill_views, self._views, self.search.embedder
        if views is None or model is None or (views.embedder, views.dim) != (model.name, model.dim):
            return 0.0
        labels, definitions = views.cosines(model.embed_queries(queries), docs)
        score = (VIEW_LABEL_WEIGHT * _sentence_and_phrases(labels, VIEW_PHRASE_WEIGHT)
                 + VIEW_DEFINITION_WEIGHT * _sentence_and_phrases(definitions, VIEW_PHRASE_WEIGHT))
        if (views.main, views.main_dim) == (main.name, main.dim):
            score = score + TITLE_QUERY_WEIGHT * _sentence_and_phrases(views.title_cosines(vectors, docs), PHRASE_WEIGHT)
        return score


def _sentence_and_phrases(cosine: np.ndarray, phrase_weight: float) -> np.ndarray:
    """Row 0 is the sentence, the rest its phrases: the sentence's cosine plus a share of the best phrase's."""
    return cosine[0] + (phrase_weight * cosine[1:].max(axis=0) if len(cosine) > 1 else 0.0)


# A clause where the speaker says what they can do (我会…, 懂…, 有电工证): its spans count without a job-ad cue.
_SAYS_SKILL = re.compile(r"^(?:我|本人)?(?:还|也)?(?:会|能|懂|熟悉|熟练|掌握|精通|擅长|善于|学过|考过|拿过|持有|有)|"
                         r"^(?:我|本人)")


def _clause_at(clauses: list[Clause], at: int) -> Clause | None:
    """The clause whose span holds this offset (spans.py and clauses.py cut clauses a little differently)."""
    for clause in clauses:
        if clause.span[0] <= at < clause.span[1]:
            return clause
    return None


def _lexical_scores(index: LoadedIndex, docs: np.ndarray, query: str, depth: int) -> dict[int, float]:
    """BM25 of the best unit per document, scaled so the query's best document has 1."""
    units, scores = index.lexical_search(query, depth * 3, index.unit_mask(docs))
    out: dict[int, float] = {}
    for unit, score in zip(units.tolist(), scores.tolist()):
        doc = int(index.unit_doc[unit])
        if doc not in out:
            out[doc] = score
            if len(out) >= depth:
                break
    top = max(out.values(), default=0.0)
    return {d: s / top for d, s in out.items()} if top > 0 else {}


def _exact_cosines(index: LoadedIndex, vectors: np.ndarray, docs: list[int]) -> np.ndarray:
    """Cosine of every query with every candidate (its best dense unit): one masked search over their rows only,
    which FAISS answers exactly whatever the index kind (the mask keeps a tiny share of the rows)."""
    wanted = np.zeros(len(index.docs), bool)
    wanted[docs] = True
    allowed = wanted[index.unit_doc[index.dense_unit]]
    out = np.full((len(vectors), len(docs)), -1.0, np.float32)
    count = int(allowed.sum())
    if not count:
        return out
    position = {d: i for i, d in enumerate(docs)}
    rows, scores = index.dense.search(vectors, count, allowed)
    for q in range(len(vectors)):
        for r, s in zip(rows[q].tolist(), scores[q].tolist()):
            if r >= 0:
                i = position[int(index.unit_doc[index.dense_unit[r]])]
                out[q, i] = max(out[q, i], s)
    return out


def _diverse(pool: list[int], score: dict[int, float], index: LoadedIndex, k: int) -> list[tuple[int, float]]:
    """Maximal marginal relevance over title words: the next skill is the one with the best score less
    DIVERSITY × its largest word overlap (Jaccard) with a skill already taken."""
    words = {d: features(index.docs[d].title.casefold()) for d in pool}
    taken: list[tuple[int, float]] = []
    penalty = dict.fromkeys(pool, 0.0)
    left = list(pool)
    while left and len(taken) < k:
        best = max(left, key=lambda d: (score[d] - DIVERSITY * penalty[d], -pool.index(d)))
        left.remove(best)
        taken.append((best, score[best]))
        for d in left:
            a, b = words[d], words[best]
            if a and b:
                penalty[d] = max(penalty[d], len(a & b) / len(a | b))
    return taken


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

