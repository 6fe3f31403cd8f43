"""Policy questions answered from the knowledge base's passages, quoted and cited, or honestly not answered."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import QueryError
from assistant.retrieval.catalog import Catalog
from assistant.understanding.overlap import features
from assistant.retrieval.search import Hit, Query, SearchService

# Question words and fillers are cut out before the question's content words are compared with a passage.
_ASKING = re.compile(
    r"请问|我想知道|想问一下|想问|能不能|可不可以|有没有|是不是|是否|什么|怎么样|怎么|如何|哪些|哪里|哪儿|多少|吗|呢|吧|啊|"
    r"我们|我|你们|你|可以|能|要|需要|有|是|的|了|么|\b(?:what|how|which|who|where|when|why|is|are|there|can|could|"
    r"do|does|did|i|me|my|you|your|the|a|an|of|to|for|in|on|about|tell|please|any|get)\b", re.I)
# The passage must contain at least this share of the question's content (bigrams for Chinese, stems for English).
MIN_SUPPORT = 0.6
QUOTE_CHARS = 220


@dataclass(frozen=True)
class Answer:
    """A quoted passage with its citation."""

    hit: Hit
    quote: str
    support: float


def content(question: str) -> str:
    """The words that carry the question (补贴 学徒 from 学徒有补贴吗), separated so bigrams do not cross cuts."""
    return " ".join(_ASKING.sub(" ", question).split())


def answer(search: SearchService, catalog: Catalog, question: str, lang: str, k: int = 3) -> list[Answer]:
    """Passages that really cover the question; an empty list means "I don't have that" — never a guess."""
    core = content(question)
    if not features(core):
        return []
    try:
        hits = search.search(Query(question[:500], type="policy", lang=lang, k=10))
    except QueryError:
        return []
    wanted = features(core)
    out = []
    for hit in hits:
        text = catalog.passages.get(hit.id, hit.snippet)
        support = len(wanted & features(f"{hit.title} {text}")) / len(wanted)
        if support >= MIN_SUPPORT:
            out.append(Answer(hit, _quote(text), round(support, 3)))
    out.sort(key=lambda a: -a.support)
    return out[:k]


def _quote(text: str) -> str:
    """The passage's opening sentences, up to a length, cut at a sentence end when one is near."""
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    cut = max(text.rfind(p, 0, QUOTE_CHARS) for p in ("。", ". ", "；"))
    return text[: cut + 1] if cut > QUOTE_CHARS // 2 else text[: QUOTE_CHARS - 1] + "…"
