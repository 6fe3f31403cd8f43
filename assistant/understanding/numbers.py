"""Numbers in digits, Chinese numerals or English words, and the clause around a match (shared by the patterns)."""

from __future__ import annotations

import re

_CN_DIGITS = dict(zip("零〇一二两三四五六七八九几", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 0)))
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
ZH_NUM = r"\d+(?:\.\d+)?[万千]?|[零〇一二两三四五六七八九十百千万几]+"
_EN_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
             "sixteen seventeen eighteen nineteen").split()
_EN_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i}
_EN_SPECIAL = {"a couple of": 2.0, "half an": 0.5, "half a": 0.5, "a dozen": 12.0, "a": 1.0, "an": 1.0}
EN_NUM = (r"\d+(?:\.\d+)?|(?:" + "|".join(_EN_TENS) + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine)\b)?|"
           + "|".join(sorted(_EN_WORDS, key=len, reverse=True)) + r"|a couple of|half an?|a dozen|an?")


def chinese_number(text: str) -> float | None:
    """Chinese or Arabic numerals to a value: 十二 → 12, 两千五 → 2500, 2万 → 20000, 半 → 0.5; None if not a number."""
    s = text.strip().replace(",", "")
    if s == "半":
        return 0.5
    half = 0.5 if len(s) > 1 and s.endswith("半") else 0.0
    s = s[:-1] if half else s
    if not s or s.startswith("几"):
        return None
    total = section = 0.0
    number: float | None = None
    trailing = 1.0  # what a bare final digit is worth: 两千五 means 2500, 一百零五 means 105
    for tok in re.findall(r"\d+(?:\.\d+)?|.", s):
        if tok[0].isdigit() or tok in _CN_DIGITS and tok not in "零〇":
            if number is not None:
                return None  # 二〇二〇 and 一二 are digit strings, not quantities
            number = float(tok) if tok[0].isdigit() else float(_CN_DIGITS[tok])
        elif tok in "零〇":
            trailing = 1.0
        elif tok in ("十", "百", "千"):
            if number is None and tok != "十":
                return None
            section += (1.0 if number is None else number) * _CN_UNITS[tok]
            number, trailing = None, _CN_UNITS[tok] / 10
        elif tok in ("万", "亿"):
            section += number or 0.0
            if section == 0:
                return None
            total += section * _CN_UNITS[tok]
            section, number, trailing = 0.0, None, _CN_UNITS[tok] / 10
        else:
            return None
    return total + section + (number or 0.0) * trailing + half


def english_number(text: str) -> float | None:
    """one, twenty-five, a couple of, 3.5 → a number; None otherwise."""
    s = re.sub(r"[\s-]+", " ", text.strip().lower())
    if s in _EN_SPECIAL:
        return _EN_SPECIAL[s]
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    parts = s.split()
    if parts and parts[0] in _EN_TENS:
        return float(_EN_TENS[parts[0]] + (_EN_WORDS.index(parts[1]) if len(parts) > 1 else 0))
    return float(_EN_WORDS.index(s)) if s in _EN_WORDS else None


def number(text: str) -> float | None:
    """A number written any of these ways, or None."""
    return chinese_number(text) if re.search(r"[\d\u4e00-\u9fff]", text) else english_number(text)



CLAUSE_END = r"[，,。；;！!？?\n]|\.(?:\s|$)"
SENTENCE_END = r"[。；;！!？?\n]|\.(?:\s|$)"


def clause_before(text: str, i: int, sentence: bool = False) -> str:
    """The text of the clause (or sentence) that ends at offset i."""
    ends = list(re.finditer(SENTENCE_END if sentence else CLAUSE_END, text[:i]))
    return text[ends[-1].end():i] if ends else text[:i]


def clause_after(text: str, j: int) -> str:
    """The text of the clause that starts at offset j."""
    m = re.search(CLAUSE_END, text[j:])
    return text[j:j + m.start()] if m else text[j:]


