"""Language and script of a text, defined once for the whole service: Han and Latin runs, mixed text, detection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]
Detected = Literal["zh", "en", "und"]

# Han ideographs (CJK unified, extension A, compatibility) and the ideographic zero 〇.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN}]")
HAN_RUN_RE = re.compile(f"[{HAN}]+")
# A word of some alphabet: letters of any script other than Han, digits excluded.
_WORD_RE = re.compile(f"[^\\W\\d_{HAN}]+")
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f']+")
# One Han character carries about 0.6 of an English word's meaning (a Chinese word averages ~1.6 characters):
# "I did welding in 湖州市" is English with a place name, "我会用Excel和Python" Chinese with two product names.
HAN_WORD_WEIGHT = 0.6
# A mixed message needs both scripts to carry real content, not a lone brand or place name.
MIXED_SHARE = 0.2


@dataclass(frozen=True)
class Scripts:
    """How much of a text is in which script: Han characters, Latin words and words of other alphabets."""

    han: int
    latin: int
    other: int

    @property
    def han_words(self) -> float:
        return self.han * HAN_WORD_WEIGHT

    @property
    def total(self) -> float:
        return self.han_words + self.latin + self.other


def scripts(text: str) -> Scripts:
    han = len(HAN_RE.findall(text))
    words = _WORD_RE.findall(text)
    latin = sum(1 for w in words if _LATIN_WORD_RE.fullmatch(w))
    return Scripts(han, latin, len(words) - latin)


def has_han(text: str) -> bool:
    return HAN_RE.search(text) is not None


def detect(text: str) -> Detected:
    """zh or en by which script carries more of the content; und for digits, emoji and punctuation only, or for
    text mostly in another alphabet (Cyrillic, Arabic, …), which the service does not read."""
    s = scripts(text)
    if s.total == 0:
        return "und"
    if s.han_words * 2 > s.latin + s.other:  # Han weighed per word-equivalent; ties go to the alphabet
        return "zh"
    return "en" if s.latin * 2 > s.other and s.latin >= s.han_words else "und"


def language_of(text: str, default: Language = "en") -> Language:
    """zh or en, never und: the default when the text says nothing either way."""
    found = detect(text)
    return found if found != "und" else default


def is_mixed(text: str) -> bool:
    """Both Chinese and English carry part of the content ("I did welding in 湖州", "会用Excel做报表")."""
    s = scripts(text)
    if s.total == 0:
        return False
    return min(s.han_words, s.latin) / s.total >= MIXED_SHARE


def letters(text: str) -> int:
    """Letters of any script (Han included): "对", "ok", "👍" and "3" have too few to tell a language by."""
    return sum(ch.isalpha() for ch in text)
