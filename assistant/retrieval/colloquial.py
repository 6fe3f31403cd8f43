"""Everyday Chinese names of jobs (针车工, 跑长途, 带娃) → the CSCO 2022 titles they mean, added to a query so that
search finds the formal occupation (team-written table: data/colloquial-zh.tsv)."""

from __future__ import annotations

import functools
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "colloquial-zh.tsv"
MAX_ADDED = 4  # titles added to one query: enough for a story, never a flood


@functools.cache
def entries() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    out = []
    for n, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        names, sep, titles = line.partition("\t")
        if not sep or not names.strip() or not titles.strip():
            raise ValueError(f"{TABLE.name}:{n}: expected 'names<TAB>titles'")
        out.append((tuple(t for t in names.split("|") if t), tuple(t for t in titles.split("|") if t)))
    return tuple(out)


@functools.lru_cache(maxsize=65_536)
def formal_titles(text: str) -> tuple[str, ...]:
    """The CSCO titles the everyday names in the text stand for, longest name first, each stretch used once; titles
    already in the text are not repeated."""
    remaining, found = text, []
    hits = sorted(((name, titles) for names, titles in entries() for name in names if name in text),
                  key=lambda h: -len(h[0]))
    for name, titles in hits:
        if name in remaining:
            remaining = remaining.replace(name, " ")
            found += [t for t in titles if t not in text]
    return tuple(dict.fromkeys(found))[:MAX_ADDED]


def expand(text: str) -> str:
    """The text with the formal titles of its everyday names appended (unchanged when it has none)."""
    titles = formal_titles(text)
    return f"{text} {' '.join(titles)}" if titles else text
