"""Carry a query across Chinese and English with the team's bilingual occupation vocabulary (data/*.tsv)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from assistant.index.tokenize import stem_english
from assistant.retrieval.colloquial import expand
from assistant.text import language_of

VOCABULARY = Path(__file__).resolve().parent / "data" / "occupation-terms.tsv"
_WORD = re.compile(r"[a-z0-9]+")


@functools.cache
def _entries() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    out = []
    for n, line in enumerate(VOCABULARY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        zh, sep, en = line.partition("\t")
        if not sep:
            raise ValueError(f"{VOCABULARY}:{n}: expected 'Chinese terms<TAB>English terms'")
        out.append((tuple(t for t in zh.split("|") if t), tuple(t for t in en.split("|") if t)))
    return tuple(out)


def vocabulary_terms() -> list[str]:
    """Every term of the bilingual vocabulary, Chinese and English, in file order: the words people use for trades."""
    return list(dict.fromkeys(term for zh, en in _entries() for term in (*zh, *en)))


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem_english(w) for w in _WORD.findall(text.casefold()))


@functools.cache
def _english_stems() -> tuple[tuple[tuple[str, ...], tuple[frozenset[str], ...]], ...]:
    """Each entry's Chinese terms with the stem sets of its English terms, computed once, not per query."""
    return tuple((zh, tuple(frozenset(s) for s in map(_stems, en) if s)) for zh, en in _entries())


@functools.lru_cache(maxsize=65_536)  # pure, and asked for the same titles again and again (bounded: queries vary)
def translate(text: str, target: str) -> str | None:
    """The vocabulary terms of text in the target language, or None when none is known (or no change needed)."""
    source = language_of(text)
    if source == target:
        return None
    terms: list[str] = []
    if source == "zh":
        remaining = text
        # Longest matching Chinese term first, each stretch of text used once: 维修电工 before 电工.
        hits = sorted(((t, en) for zh, en in _entries() for t in zh if t in text), key=lambda h: -len(h[0]))
        for term, en in hits:
            if term in remaining:
                remaining = remaining.replace(term, " ")
                terms += en[:2]
    else:
        words = set(_stems(text))
        for zh, stem_sets in _english_stems():
            if any(s <= words for s in stem_sets):
                terms += zh[:2]
    terms = list(dict.fromkeys(terms))
    return " ".join(terms) if terms else None


# Lists in a language other than the query's count a little less: equal evidence, the reader's own language wins.
OTHER_LANGUAGE_WEIGHT = 0.8


def language_variants(text: str, languages: list[str]) -> dict[str, str]:
    """The query to use per document language: itself in its own language (with the formal titles of everyday job
    names added, for Chinese), translated where the vocabulary can."""
    own = language_of(text)
    return {lang: (expand(text) if lang == own == "zh" else translate(text, lang) or text) for lang in languages}
