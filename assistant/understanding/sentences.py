"""A message → sentences with their spans, each marked as a question or a statement (Chinese, English or mixed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentence ends: Chinese and Latin terminators, semicolons and line breaks; a Latin full stop only before a space or
# the end (so 3.5, e.g. and U.S. hold). A question mark stays with its sentence.
_END = re.compile(r"[。！？!?；;\n]+|(?<=[^\s.\d])\.(?=\s|$)(?<!\be\.g\.)")
# Question forms. A question mark is enough; without one, a question word opening the sentence, a Chinese sentence
# ending in 吗/呢/么, or an A-not-A form (能不能, 有没有, 是不是) asks something.
_ZH_OPENING = re.compile(r"^(?:请问|想问一下|想问|问一下|我想知道|什么是|怎么|怎样|如何|为什么|哪里|哪儿|哪些|哪个|多少|是否|谁)")
_ZH_ANYWHERE = re.compile(r"(?:能不能|可不可以|可以不可以|有没有|是不是|会不会|要不要|需不需要|行不行|怎么(?:才能|办|样|考|申请|领|报名)|"
                          r"如何|多少钱|多少|多久|哪里(?:能|可以)|去哪)")
_ZH_FINAL = re.compile(r"(?:吗|呢|么|嘛)[\s~。.!！]*$")
_EN_OPENING = re.compile(r"^(?:what|how|which|who|whom|where|when|why|is|are|am|can|could|do|does|did|will|would|"
                         r"should|shall|may|have|has)\b", re.I)
# "不知道能干什么" and "I don't know what to do" are about the person (the interest path), not questions to answer.
_UNSURE = re.compile(r"不知道|不清楚|没想好|不确定|拿不准|\b(?:no idea|not sure|don'?t know|do not know|unsure)\b", re.I)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a message and where it is."""

    text: str
    span: tuple[int, int]
    question: bool


def is_unsure(text: str) -> bool:
    """不知道能干什么 / no idea what to do: about the person's direction, not a fact or a question."""
    return bool(_UNSURE.search(text))


def without_unsure(text: str) -> str:
    """The clauses of a statement other than the "I don't know what to do" ones."""
    parts = re.split(r"([，,、；;]|\s(?:and|but|so)\s)", text)
    kept = [parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)
            if parts[i].strip() and not is_unsure(parts[i])]
    return re.sub(r"(?:[，,、；;]|\s(?:and|but|so))\s*$", "", "".join(kept).strip()).strip()


def is_question(text: str) -> bool:
    t = text.strip()
    if not t:
        return False
    if t.endswith(("?", "？")):
        return True
    if _UNSURE.search(t):
        return False
    return bool(_ZH_OPENING.search(t) or _ZH_FINAL.search(t) or _ZH_ANYWHERE.search(t) or _EN_OPENING.search(t))


def sentences(text: str) -> list[Sentence]:
    """Sentences with spans into the original text; the terminator belongs to the sentence before it."""
    out: list[Sentence] = []
    pos = 0
    for m in list(_END.finditer(text)) + [None]:
        end = m.end() if m else len(text)
        piece = text[pos:end]
        body = piece.strip().rstrip("。！!；;.\n").strip()
        if body:
            start = pos + (len(piece) - len(piece.lstrip()))
            question = is_question(piece)
            if question:
                # 我做了十年木工，没有证书，怎么认定技能等级？ tells something before it asks: that part is read too.
                told = _told_before(body)
                if told:
                    out.append(Sentence(told, (start, start + len(told)), False))
            out.append(Sentence(body, (start, start + len(body)), question))
        pos = end
    return out


def _told_before(sentence: str) -> str:
    """The clauses of a question sentence before its first asking clause ("我45岁了，还能参加学徒吗" → 我45岁了)."""
    clauses = re.split(r"([，,、:：])", sentence)
    told = ""
    for i in range(0, len(clauses), 2):
        clause = clauses[i]
        if is_question(clause) or _ZH_ANYWHERE.search(clause) or _EN_OPENING.search(clause.strip()):
            return told.rstrip("，,、:： ")
        told += clause + (clauses[i + 1] if i + 1 < len(clauses) else "")
    return ""


def asking_part(question: str) -> str:
    """A question without the telling before it (我做了十年木工，没有证书，怎么认定技能等级？ → 怎么认定技能等级？)."""
    told = _told_before(question)
    return question[len(told):].lstrip("，,、:： ") if told else question
