"""Free text → clauses tagged experience / skill / goal, with the phrase each is about and its character span."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Clause boundaries: Chinese and Latin sentence and clause punctuation, line breaks and list bullets.
# A colon ends a clause too ("岗位职责：1.负责…", "如：目标检测"), except between digits (12:30).
# A conjunction before "I" starts another statement in a person's telling ("I was a courier for 9 years and I can
# drive a van"): without the cut the duration or the job swallowed the rest.
_BOUNDARY = re.compile(r"[，,。；;！!？?\n\r：]+|(?<![0-9])[.:](?![0-9])|\s+-\s+|"
                       r"\s+(?:and|but|so|then)\s+(?=[Ii](?:\s|['’]))")
_ENUM = re.compile(r"^\s*(?:[(（]?[0-9一二三四五六七八九十]{1,2}[)）、.．:：]|[•·*\-]\s)\s*")
# Items inside one clause: 识图、焊接和质检 / reading, welding and inspection.
_ITEM = re.compile(r"[、/／]|以及|及|和|与|或者|或|\s+and\s+|\s+or\s+|\s+&\s+")  # R&D stays one item

# Chinese cues. Experience: 在<where>做了<duration><what>; skills: 会/熟悉/掌握 <what>; goals: 想/希望 …
_ZH_EXPERIENCE = re.compile(
    r"(?:在(?P<where>[\u4e00-\u9fffA-Za-z]{1,12}?))?(?:做了|干了|做过|干过|当了|当过|从事了?|做|干|当)"
    r"(?P<dur>(?:[0-9一二两三四五六七八九十几半]+(?:个)?(?:多)?(?:年|个月)[多半]?)?)(?:的)?"
    r"(?P<what>[\u4e00-\u9fffA-Za-z0-9]{1,16})"
)
_ZH_IAM = re.compile(r"^(?:我)?(?:以前|之前|原来|现在)?是(?:一名|一个|个|名)?(?P<what>[\u4e00-\u9fff]{2,10}?)(?:的)?$")
# Skill cues, longest first; 能力/会议/有限 are words, not cues.
_ZH_SKILL = re.compile(r"(?:我)?(?:还|也)?(?:熟练掌握|熟练使用|具备|具有|拥有|负责|善于|擅长|运用|熟悉|熟练|掌握|精通|了解|"
                       r"学过|考过|拿过|持有|懂|会(?!议|计|员|所|话)|能(?!力|源|耗)|有(?!限|关|效|些|点|时))(?:得)?"
                       r"(?P<what>.+)")
# 要 alone is a goal (我要学电工), not inside 要求/主要/重要/需要.
_ZH_GOAL = re.compile(r"(?:想|希望|打算|准备|目标是|计划|愿意|(?<![主重需只天都得])要(?![求点素是]))")
_ZH_GOAL_OCCUPATION = re.compile(r"(?:当|做|成为|从事|学(?!徒)|转行做|转行当|干|找(?:一?份|个|一个)?)(?:一名|一个|个)?(?P<what>[\u4e00-\u9fffA-Za-z]{2,12})")
_ZH_NOT_OCCUPATION = re.compile(r"学徒|岗位|工资|工作$|^(?:份|个)?工作|培训|课程|学习|能拿|钱")
# Frame words around a skill phrase: requirement verbs and degree adjectives in front; 等…, 优先, 经验, 背景 and
# the 强 of 能力强 behind. Grammar, not a skill list: what remains is looked up in the taxonomies.
_ZH_STRIP = re.compile(
    r"^(?:一点|一些|点儿?|基本的?|简单的?|使用|用|操作|进行|熟练|熟悉|掌握|精通|了解|具备|具有|拥有|负责|运用|参与|"
    r"并且?|对于?|时刻|为人|有(?![机效限关])|良好的?|很好的?|较强的?|很强的?|极强的?|强烈的?|优秀的?|出色的?|扎实的?|"
    r"一定的?|丰富的?|较好的?|"
    r"相关的?)"
    r"|(?:技术|方面的?|的工作|工作|(?<![中高初同平对])等[\u4e00-\u9fff]{0,8}|的?求职者优先|者?优先|的?经验|背景|"
    r"(?<=力)强)$"
)

_EN_EXPERIENCE = [
    re.compile(r"\b(?:worked|work|working|served)\s+as\s+(?:an?\s+)?(?P<what>[a-z][a-z \-]+?)"
               r"(?:\s+(?:in|at)\s+(?:an?\s+|the\s+)?(?P<where>[a-z][a-z \-]+?))?(?:\s+for\s+(?P<dur>[\w +]+?))?$"),
    re.compile(r"\bi\s+(?:did|do|have done|used to do)\s+(?P<what>[a-z][a-z \-]+?)"
               r"(?:\s+(?:in|at)\s+(?:an?\s+|the\s+)?(?P<where>[a-z][a-z \-]+?))?(?:\s+for\s+(?P<dur>[\w +]+?))?$"),
    re.compile(r"\bi(?:\s+(?:was|am|have been)|'m|’m)\s+an?\s+(?P<what>[a-z][a-z \-]+?)"
               r"(?:\s+(?:in|at)\s+(?:an?\s+|the\s+)?(?P<where>[a-z][a-z \-]+?))?(?:\s+for\s+(?P<dur>[\w +]+?))?$"),
    re.compile(r"\b(?P<dur>[0-9]+\+?|one|two|three|four|five|six|seven|eight|nine|ten)\s+years?\s+(?:of\s+)?"
               r"(?:experience\s+)?(?:as|in)\s+(?:an?\s+)?(?P<what>[a-z][a-z \-]+?)$"),
]
_EN_SKILL = re.compile(
    r"\b(?:i\s+)?(?:also\s+)?(?:can|could|know\s+how\s+to|know|am\s+able\s+to|am\s+good\s+at|'m\s+good\s+at|"
    r"have\s+experience\s+(?:in|with)|am\s+skilled\s+(?:in|at)|am\s+familiar\s+with|am\s+experienced\s+in|"
    r"have\s+(?:a|an)\s+(?P<cert>[a-z \-]+?\s+(?:licen[cs]e|certificate))|speak|use)(?:\s+(?P<what>.+))?$"
)
_EN_GOAL = re.compile(r"\b(?:i\s+)?(?:want|would\s+like|'d\s+like|hope|am\s+looking\s+for|'m\s+looking\s+for|plan|wish)\b")
_EN_GOAL_OCCUPATION = re.compile(r"\b(?:become|be|work\s+as|train\s+as|job\s+as|career\s+as)\s+(?:an?\s+)?"
                                 r"(?P<what>[a-z][a-z \-]{2,40}?)(?:\s+(?:in|at|near)\b.*)?$")
_EN_STRIP = re.compile(r"^(?:some|basic|simple|the|a|an|use|using|do|doing)\s+|\s+(?:well|too|as well|a bit)$")


@dataclass(frozen=True)
class Clause:
    """One clause: what kind of statement it is and the phrase (with its span) it is about."""

    kind: str  # experience | skill | goal | other
    text: str
    span: tuple[int, int]
    what: str = ""  # the phrase: 电焊 / read drawings / 电工
    what_span: tuple[int, int] = (0, 0)
    where: str | None = None
    duration: str | None = None


# Markup left in pasted or scraped text (&lt;br/&gt;, <p class=…>, &amp;): blanked to the same length (offsets hold).
_TAG = re.compile(r"(?:&nbsp;)+|&lt;/?[a-zA-Z][a-zA-Z0-9]{0,9}(?:\s[^<>&]{0,200})?\s*/?&gt;|</?[a-zA-Z][a-zA-Z0-9]{0,9}(?:\s[^<>]{0,200})?\s*/?>")
_ENTITY = re.compile(r"&(?:amp|quot|apos|#\d{1,5});")


def split_clauses(text: str) -> list[tuple[str, int]]:
    """Clauses with their start offsets, enumeration bullets and markup removed."""
    text = _TAG.sub(lambda m: "\n" * len(m.group()), text)  # a tag (<br>, <p class=…>) or &nbsp; ends a clause
    text = _ENTITY.sub(lambda m: " " * len(m.group()), text)  # an entity (&amp;, &nbsp;) does not
    out: list[tuple[str, int]] = []
    pos = 0
    for m in list(_BOUNDARY.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        bullet = _ENUM.match(piece)
        offset = bullet.end() if bullet else 0
        stripped = piece[offset:]
        lead = len(stripped) - len(stripped.lstrip())
        clause = stripped.strip()
        if clause:
            out.append((clause, pos + offset + lead))
        pos = m.end() if m else len(text)
    return out


def items(phrase: str, start: int) -> list[tuple[str, int]]:
    """Parallel items of a phrase (识图、焊接和质检 → three), each with its offset."""
    out = []
    pos = 0
    for m in list(_ITEM.finditer(phrase)) + [None]:
        end = m.start() if m else len(phrase)
        piece = phrase[pos:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            out.append((piece.strip(), start + pos + lead))
        pos = m.end() if m else len(phrase)
    return out


def _trim(phrase: str, start: int, pattern: re.Pattern[str]) -> tuple[str, int]:
    """Drop filler words at either end (用/一点/…的工作; some/basic/well), keeping the offset right."""
    for _ in range(5):
        m = pattern.search(phrase)
        if not m or m.end() - m.start() >= len(phrase):
            break
        if m.start() == 0:
            phrase, start = phrase[m.end():], start + m.end()
        else:
            phrase = phrase[: m.start()]
    return phrase.strip(), start


def classify(clause: str, start: int) -> Clause:
    """Tag one clause; Chinese patterns first, then English ones on the case-folded text."""
    span = (start, start + len(clause))
    if re.search(r"[\u4e00-\u9fff]", clause):
        return _classify_zh(clause, start, span)
    return _classify_en(clause, start, span)


def _classify_zh(clause: str, start: int, span: tuple[int, int]) -> Clause:
    if _ZH_GOAL.search(clause):
        m = _ZH_GOAL_OCCUPATION.search(clause, _ZH_GOAL.search(clause).end())  # type: ignore[union-attr]
        if m:
            what, at = _trim(m.group("what"), start + m.start("what"), _ZH_STRIP)
            # "找个能拿工资的学徒岗位" names a kind of place, not an occupation: constraints handle it.
            if what and not _ZH_NOT_OCCUPATION.search(what):
                return Clause("goal", clause, span, what, (at, at + len(what)))
        return Clause("goal", clause, span)
    m = _ZH_IAM.match(clause)
    if m:
        return Clause("experience", clause, span, m.group("what"), (start + m.start("what"), start + m.end("what")))
    m = _ZH_SKILL.search(clause)
    if m and not _ZH_EXPERIENCE.search(clause[: m.start()]):
        what, at = _trim(m.group("what"), start + m.start("what"), _ZH_STRIP)
        if what:
            return Clause("skill", clause, span, what, (at, at + len(what)))
    m = _ZH_EXPERIENCE.search(clause)
    if m and m.group("what"):
        what, at = _trim(m.group("what"), start + m.start("what"), _ZH_STRIP)
        return Clause("experience", clause, span, what, (at, at + len(what)),
                      where=m.group("where"), duration=m.group("dur") or None)
    what, at = _trim(clause, start, _ZH_STRIP)  # 学习能力强的求职者优先 → 学习能力, still an "other" clause
    return Clause("other", clause, span, what or clause, (at, at + len(what)) if what else span)


def _classify_en(clause: str, start: int, span: tuple[int, int]) -> Clause:
    low = clause.casefold()  # same length as the clause for the texts we see; spans index the original
    if len(low) != len(clause):
        low = clause.lower()
    if _EN_GOAL.search(low):
        m = _EN_GOAL_OCCUPATION.search(low)
        if m and not re.search(r"(?:apprentice(?:ship)?|course|training|job)s?$", m.group("what")):
            return Clause("goal", clause, span, clause[m.start("what"):m.end("what")],
                          (start + m.start("what"), start + m.end("what")))
        return Clause("goal", clause, span)
    for pattern in _EN_EXPERIENCE:
        m = pattern.search(low)
        if m:
            what, at = _trim(clause[m.start("what"):m.end("what")], start + m.start("what"), _EN_STRIP)
            where = clause[m.start("where"):m.end("where")] if "where" in m.groupdict() and m.group("where") else None
            return Clause("experience", clause, span, what, (at, at + len(what)), where=where,
                          duration=m.group("dur"))
    m = _EN_SKILL.search(low)
    group = "cert" if m and m.group("cert") else "what"
    if m and m.group(group):
        what, at = _trim(clause[m.start(group):m.end(group)], start + m.start(group), _EN_STRIP)
        if what:
            return Clause("skill", clause, span, what, (at, at + len(what)))
    return Clause("other", clause, span, clause, span)


def parse(text: str) -> list[Clause]:
    """Every clause of a message, tagged."""
    return [classify(c, at) for c, at in split_clauses(text)]
