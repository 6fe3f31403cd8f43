"""Goals that name a field rather than a job (环保方面, 跟网络相关, elderly care, solar energy), and goals that are
limits in disguise (想找不需要打电话的工作): what is left of a goal clause once the wanting, the place and the kind of
post are taken away."""

from __future__ import annotations

import re

from assistant.understanding.places import find_places

# Negation inside a wish: the clause names what the work must not ask, read by the limit patterns instead.
_NEGATED = re.compile(r"(?:不|没|别|无需|不用|不必|免)(?:需要|要|用|必|想|能|会)?(?:打|接|倒|上|出|加|坐|站|跑|碰|做|用|需)|"
                      r"\b(?:no|without|not|never|don'?t|doesn'?t)\s+(?:\w+\s+){0,2}(?:calls?|phones?|shifts?|nights?|"
                      r"computers?|lifting|standing|travel)\b", re.I)
# A Chinese field is named before a marker word (做新能源方面的, 跟网络相关的, 往消防方向, 找环保类的), after the
# nearest verb or preposition.
_ZH_MARKER = re.compile(r"(?:的)?(?:方面|相关|有关|方向|行业|领域|之类|类)")
_ZH_BEFORE = re.compile(r"(?:跟|和|与|做|从事|找|干|学|往|朝|在|去|到|是|搞|个|份|些|点)"
                        r"(?P<t>[^跟和与做找干学往朝在去到是搞个份些点的]{2,8})$")
# The words of wanting and of a post in general, removed from an English goal to leave the field.
_EN_FRAME = re.compile(
    r"\b(?:i|i'd|i'm|me|my|want|wants|would|like|love|hope|wish|plan|planning|am|looking|look|for|to|a|an|the|"
    r"get|find|move|moving|go|into|in|at|near|around|with|on|of|something|some|job|jobs|work|working|career|"
    r"position|role|paid|better|new|more|stable|steady|secure|good|well|maybe|perhaps|now|then|later|also|"
    r"field|area|sector|industry|apprenticeship|training|course|local|nearby|close|home|from|or|and|be|become|"
    r"change|switch|can|could|do|does|did|doing|able|anything|something|everything|kind|sort|type|thing|things|"
    r"stuff|place|where|which|that|what|who|will|it|is|are|was|were|been|so|very|really|just|still|too|as|than|"
    r"there|here|this|these|those|any|all|want|from|home|remote|remotely|online|part|full|time|hours?|flexible|"
    r"near|close|around|city|town|area|please|thanks?)\b", re.I)
MIN_ZH_CHARS, MIN_EN_LETTERS = 2, 3


def is_negated_goal(clause: str) -> bool:
    return bool(_NEGATED.search(clause))


def goal_topic(clause: str, lang: str) -> str | None:
    """The field a goal clause names, or None when nothing but wanting, place and post is left."""
    text = clause
    for p in sorted(find_places(text), key=lambda p: -p.span[0]):
        text = text[: p.span[0]] + " " + text[p.span[1]:]
    # Contractions go before the punctuation: "I'd like" would otherwise leave a "d" as the field.
    text = re.sub(r"['’](?:d|m|s|ve|ll|re)\b", "", text, flags=re.I)
    text = re.sub(r"[，,。.；;！!？?、:：\"“”'’()（）]", " ", text)
    if re.search(r"[\u4e00-\u9fff]", text):
        text = text.replace(" ", "")
        marker = _ZH_MARKER.search(text)
        m = _ZH_BEFORE.search(text[: marker.start()]) if marker else None
        return m.group("t") if m else None
    text = _EN_FRAME.sub(" ", text)
    topic = " ".join(w for w in text.split() if not w.isdigit())
    return topic if sum(ch.isalpha() for ch in topic) >= MIN_EN_LETTERS else None
