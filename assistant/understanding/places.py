"""Places in free text: Chinese provinces, cities and districts (full or short names, pinyin), with false-positive rules."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from assistant.retrieval.gazetteer import Place, places


@dataclass(frozen=True)
class PlaceMention:
    """A recognised place: full name, its province, level and where it sits in the text."""

    name: str
    province: str
    level: str  # province | city | district
    span: tuple[int, int]


_LEVEL_RANK = {"province": 0, "city": 1, "district": 2}
# Full names that are ordinary words (城区 = "urban area"); never places on their own.
_GENERIC_NAMES = frozenset("城区 郊区 矿区 解放区 市中区 新市区".split())
# Short names that are common words first and places second (checked against jieba's dictionary, where these carry
# non-place tags: 和平 peace, 开封 to unseal, 大同 大同小异, 白银 silver, 大理石 marble, 日照 sunshine, 安康 well-being,
# 中山装, 朝阳 morning sun): they count only with a locative cue before or 人/话/一带 after ("在开封打工", "大同人").
_COMMON_WORD_NAMES = frozenset("和平 开封 大同 白银 来宾 安康 南岸 阿里 朝阳 日照 大理 河西 河东 江北 金山 石柱 中山".split())
_LOCATIVE_BEFORE = re.compile(r"(?:在|去|到|从|来自|回|住|于|离|老家|家在)$")
_LOCATIVE_AFTER = re.compile(r"人|话|这边|那边|一带|附近|地区|本地")
# A name followed by 路/街 is a street (中山路, 北京路 in Guangzhou), and one whose first character ends a region word
# (华东营销 is 华东 + 营销, not 东营) is no place either. Everything else matches: on career text (trades, schooling,
# family, transport words) the gazetteer's two-plus-character names gave no false hits, so no word segmenter is used.
_STREET_AFTER = re.compile(r"路|街|大道|巷")
_REGION_WORDS = frozenset("华东 华南 华北 华中 东南 西南 东北 西北".split())
# English spellings the gazetteer's pinyin lacks or gets wrong (重庆 is stored as "Zhongqing"); pinyin that is more
# often an English word or a given name (Ali, Aba, Jian) is left out.
_EN_ALIASES = {"chongqing": "重庆市", "shaanxi": "陕西省", "tibet": "西藏自治区", "xizang": "西藏自治区", "xi'an": "西安市",
               "inner mongolia": "内蒙古自治区", "macao": "澳门特别行政区"}
_EN_SKIP = frozenset({"ali", "aba", "jian"})


def _rank(p: Place, order: int, short: bool) -> tuple[int, int, int]:
    # Full-name matches beat short names; then province > city > district (海南 is the province, not the prefecture
    # 海南藏族自治州; 长沙 the city, not 长沙县); then gazetteer order (朝阳区 of Beijing before Changchun's).
    return (int(short), _LEVEL_RANK[p.level], order)


@functools.cache
def _zh_index() -> tuple[re.Pattern[str], dict[str, Place]]:
    best: dict[str, tuple[tuple[int, int, int], Place]] = {}
    for order, p in enumerate(places()):
        for key, short in [(p.name, False)] + ([(p.short_name, True)] if p.level != "district" else []):
            rank = _rank(p, order, short)
            if len(key) >= 2 and key not in _GENERIC_NAMES and (key not in best or rank < best[key][0]):
                best[key] = (rank, p)
    alternation = "|".join(map(re.escape, sorted(best, key=len, reverse=True)))  # longest alternative first
    return re.compile(alternation), {k: v[1] for k, v in best.items()}


@functools.cache
def _en_index() -> tuple[re.Pattern[str], dict[str, list[Place]]]:
    by_key: dict[str, list[tuple[tuple[int, int, int], Place]]] = {}
    for order, p in enumerate(places()):
        key = p.pinyin.casefold()
        if p.level != "district" and key and key not in _EN_SKIP:
            by_key.setdefault(key, []).append((_rank(p, order, False), p))
    named = {p.name: (_rank(p, i, False), p) for i, p in enumerate(places())}
    for alias, name in _EN_ALIASES.items():
        by_key.setdefault(alias, []).insert(0, named[name])
    alternation = "|".join(map(re.escape, sorted(by_key, key=len, reverse=True)))
    # Latin-letter boundaries rather than \b, which sees none between Han and Latin ("在Huzhou").
    pattern = re.compile(rf"(?<![A-Za-z])(?P<name>{alternation})(?![A-Za-z])"
                         r"(?:\s+(?P<kind>city|province|prefecture))?", re.I)
    return pattern, {k: [p for _, p in sorted(v, key=lambda x: x[0])] for k, v in by_key.items()}


def _keep_zh_place(text: str, key: str, s: int, e: int) -> bool:
    if _STREET_AFTER.match(text, e) or text[max(s - 1, 0):s + 1] in _REGION_WORDS:
        return False
    if key in _COMMON_WORD_NAMES:
        return bool(_LOCATIVE_BEFORE.search(text[max(0, s - 2):s]) or _LOCATIVE_AFTER.match(text, e))
    return True


def find_places(text: str) -> list[PlaceMention]:
    """Every place named, longest match first where names overlap, in text order."""
    pattern, index = _zh_index()
    found: list[tuple[int, int, Place]] = []
    for i in range(len(text)):  # every start, not finditer: the longest match overall wins, not the leftmost
        m = pattern.match(text, i)
        if m and _keep_zh_place(text, m.group(), m.start(), m.end()):
            found.append((m.start(), m.end(), index[m.group()]))
    en_pattern, en_index = _en_index()
    for m in en_pattern.finditer(text):
        ranked = en_index[m["name"].casefold()]
        wanted = {"province": "province", "city": "city", "prefecture": "city"}.get((m["kind"] or "").lower())
        found.append((m.start(), m.end(), next((p for p in ranked if p.level == wanted), ranked[0])))
    chosen: list[tuple[int, int, Place]] = []
    for s, e, p in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if all(e <= cs or s >= ce for cs, ce, _ in chosen):
            chosen.append((s, e, p))
    return [PlaceMention(p.name, p.path[0], p.level, (s, e)) for s, e, p in sorted(chosen, key=lambda c: c[0])]
