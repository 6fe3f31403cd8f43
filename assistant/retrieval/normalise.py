"""Occupation normalisation: a job title or a free description → ranked occupations in any scheme and language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.index.embedders import Embedder
from assistant.index.loaded import Filters, LoadedIndex
from assistant.retrieval.fusion import Ranked, normalised, rrf, top
from assistant.retrieval.jobad import clean_title
from assistant.text import HAN_RE
from assistant.retrieval.signals import DEPTH, Signal, query_texts, ranked_lists

# Signal weights, tuned on a dev split (every 5th row) of the CSCO job-title benchmark; see benchmarks/README.md.
# Titles and aliases carry most of the evidence; definitions help with descriptive queries; tasks a little.
WEIGHTS = {
    "dense:names": 1.0,
    "dense:definition": 0.4,
    "lexical:names": 0.8,
    "lexical:tasks": 0.1,
    "contains:names": 0.5,
}
SIGNALS = (
    Signal("dense:names", "dense", ("title", "alias"), WEIGHTS["dense:names"]),
    Signal("dense:definition", "dense", ("definition",), WEIGHTS["dense:definition"]),
    Signal("lexical:names", "lexical", ("title", "alias"), WEIGHTS["lexical:names"]),
    Signal("lexical:tasks", "lexical", ("definition", "tasks"), WEIGHTS["lexical:tasks"]),
)
# A story of work ("I laid bricks on housing sites for fifteen years") reads like a definition, not like a title:
# definitions and tasks count as much as names. Chosen on the team's story sets (benchmarks/data/stories-*.jsonl).
STORY_WEIGHTS = {**WEIGHTS, "dense:definition": 1.0, "lexical:names": 0.3, "lexical:tasks": 0.5}
STORY_SIGNALS = tuple(Signal(s.name, s.kind, s.fields, STORY_WEIGHTS[s.name]) for s in SIGNALS)
STORY_MIN_WORDS, STORY_MIN_HAN = 8, 12


@dataclass(frozen=True)
class OccupationMatch:
    """One ranked occupation, with the rank it reached in each signal (the evidence for the reranking)."""

    doc: int
    score: float
    ranks: dict[str, int]


def normalise_occupation(
    index: LoadedIndex,
    embedder: Embedder,
    text: str,
    *,
    schemes: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    k: int = 10,
    clean: bool = True,
) -> list[OccupationMatch]:
    """Rank occupations (and leaf groups such as 其他教学人员) for a title or description.

    Job-ad noise is stripped first; then names, aliases, definitions and tasks are searched densely and lexically,
    and the lists are fused by reciprocal rank, which rewards agreement across fields and across languages.
    """
    query, docs = _prepared(index, text, schemes, languages, clean)
    if not query or not docs.any():
        return []
    story = is_story(query)
    lists = ranked_lists(index, embedder, query, docs, STORY_SIGNALS if story else SIGNALS)
    lists.append(_contained_names(index, query, docs))
    fused = rrf(lists)
    # A language's lists count once in the ceiling: first place in every list of one language scores 1.0.
    per_language = list((STORY_WEIGHTS if story else WEIGHTS).values())
    scores = normalised(fused, per_language)
    out = []
    for doc, score in top(scores, k):
        ranks = {r.name: r.docs.index(doc) + 1 for r in lists if doc in r.docs}
        out.append(OccupationMatch(doc, round(min(score, 1.0), 4), ranks))
    return out


def is_story(text: str) -> bool:
    """A description of work rather than a title: eight words or more, or twelve Han characters."""
    han = len(HAN_RE.findall(text))
    return han >= STORY_MIN_HAN or (han == 0 and len(text.split()) >= STORY_MIN_WORDS)


def _prepared(index: LoadedIndex, text: str, schemes: Sequence[str] | None, languages: Sequence[str] | None,
              clean: bool) -> tuple[str, np.ndarray]:
    query = clean_title(text) if clean else text.strip()
    return query, index.doc_mask(Filters(types=("occupation",), schemes=schemes, languages=languages, leaf_only=True))


def normalise_texts(index: LoadedIndex, text: str, *, schemes: Sequence[str] | None = None,
                    languages: Sequence[str] | None = None, clean: bool = True) -> list[str]:
    """The texts normalise_occupation would embed for the same arguments (to embed several in one batch ahead)."""
    query, docs = _prepared(index, text, schemes, languages, clean)
    return query_texts(index, query, docs) if query and docs.any() else []


def _spans(text: str) -> list[str]:
    """Candidate names inside a query: Han substrings of 2+ characters, Latin word n-grams; longest first."""
    out: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        out += [run[i:j] for i in range(len(run)) for j in range(i + 2, len(run) + 1)]
    words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", text.casefold())
    out += [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + 6) + 1)]
    return sorted(set(out), key=lambda s: (-len(s), s))


def _contained_names(index: LoadedIndex, query: str, docs: np.ndarray) -> Ranked:
    """Documents one of whose names occurs verbatim in the query (电话客服/周末双休 holds the alias 电话客服).

    Longer names rank first: they say more than a shared head word.
    """
    names = index.names()
    ranked: list[int] = []
    scores: list[float] = []
    for span in _spans(query):
        for doc in names.get(span, ()):
            if docs[doc] and doc not in ranked:
                ranked.append(doc)
                scores.append(float(len(span)))
    return Ranked("contains:names", WEIGHTS["contains:names"], ranked[:DEPTH], scores[:DEPTH])
