"""English skill phrases in job-ad sentences and messages: the phrases worth looking up in a skill taxonomy.

"Strong knowledge of HTML and CSS, experience with Java or C#" → HTML, CSS, Java, C#; "Ability to debug issues in
a full stack environment" → debug issues in a full stack environment; "excellent communication skills" →
communication. Grammar only: clause punctuation, coordination (and, or, as well as, &, /), and frame words around
a skill (ability to, knowledge of, experience with, strong, excellent, …skills, …is a plus). The phrases are
offered to the taxonomy look-up, which decides whether they name a skill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Clause boundaries: sentence punctuation, brackets, bullets, and a colon after a heading ("Requirements:").
_BOUNDARY = re.compile(r"[.;:!?()\[\]{}•·|\n\r\"“”]+(?:\s|$)|[;:!?()\[\]{}•·|\n\r\"“”]+|\s+-\s+|,\s*|\s+–\s+|"
                       r"(?<=[a-z])\s+(?=[A-Z][a-z]+\b)")
# Coordination inside a clause; a slash only between words (TCP/IP and 24/7 stay whole).
_COORD = re.compile(r"\s+(?:and/or|and|or|as well as|along with|plus|&|including|such as|e\.g\.?|i\.e\.?|like|"
                    r"incl\.?|especially|particularly|etc\.?)\s+|\s*/\s*(?=[A-Za-z]{4})(?<=[A-Za-z]{4}/)")
# Frame words in front: who is asked, how well, which kind of evidence.
_LEAD = re.compile(
    r"(?:we|you|they|i|candidates?|applicants?|successful|candidate|applicant|person|you'll|we'll|we're|you're|"
    r"looking|seeking|seek|possess|bring|hold|offer|entails?|involves?|includes?|want|needs?|requires?|expected|"
    r"required|is|are|be|being|been|a|an|the|your|our|their|its|some|any|all|other|also|both|either|then|very|"
    r"highly|strong|excellent|good|great|solid|proven|demonstrated|demonstrable|extensive|deep|in-depth|thorough|"
    r"basic|working|sound|fluent|first-hand|hands-on|relevant|previous|prior|practical|professional|advanced|"
    r"outstanding|exceptional|superb|effective|proficient|familiar|comfortable|confident|able|willing|ready|"
    r"must|should|will|would|can|shall|to|have|has|having|with|of|in|for|on|at|by|from|within|into|"
    r"knowledge|understanding|experience|experienced|skills?|abilities|ability|capability|proficiency|"
    r"expertise|background|familiarity|command|fluency|competence|competency|know-how|track|record|"
    r"responsible|responsibility|responsibilities|duties|tasks|role|focus|passion|interest|desire|"
    r"\d+\+?(?:\s*-\s*\d+)?\s*(?:years?|yrs?|months?)(?:'s)?)\s+",
    re.IGNORECASE)
# Frame words behind: "…skills", "…is a plus", "…experience", "…preferred", "…required".
_TAIL = re.compile(
    r"\s+(?:skills?|abilities|ability|experience|knowledge|background|expertise|proficiency|understanding|"
    r"is\s+(?:a\s+)?(?:plus|bonus|must|advantage|required|preferred|desirable|an\s+advantage|beneficial)|"
    r"(?:would\s+be|will\s+be|is)\s+(?:considered\s+)?(?:an?\s+)?(?:plus|bonus|advantage|asset|benefit)|"
    r"preferred|required|desired|desirable|a\s+plus|an\s+advantage|an\s+asset|a\s+must|necessary|essential|"
    r"etc|is\s+needed|needed|in\s+general|as\s+well|too|also|is|are|of|in|with|to|for|and|or|the|a|an)$",
    re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#.\-']*")
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")
MAX_WORDS = 16


@dataclass(frozen=True)
class Phrase:
    text: str
    start: int
    end: int
    level: str  # clause | item


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    for _ in range(12):
        changed = False
        m = _LEAD.match(text, s, e)
        if m and s < m.end() < e:
            s, changed = m.end(), True
        m = _TAIL.search(text, s, e)
        if m and m.start() > s:
            e, changed = m.start(), True
        while s < e and not text[s].isalnum() and text[s] not in "#+.<":
            s, changed = s + 1, True
        while e > s and not text[e - 1].isalnum() and text[e - 1] not in "#+":
            e, changed = e - 1, True
        if not changed:
            break
    return s, e


def _cut(text: str, s: int, e: int, sep: re.Pattern[str]) -> list[tuple[int, int]]:
    parts, pos = [], s
    for m in sep.finditer(text, s, e):
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, e))
    return [(a, b) for a, b in parts if text[a:b].strip()]


def _useful(piece: str) -> bool:
    """Some content left: not only frame words ("experience"), not only numbers, not a whole paragraph."""
    words = _WORD.findall(piece)
    return (bool(words) and len(words) <= MAX_WORDS and not all(w.isdigit() for w in words)
            and not all(_LEAD.fullmatch(w + " ") for w in words))


def english_phrases(text: str) -> list[Phrase]:
    """Clauses (frame words stripped) and, where a clause coordinates several things, each of them."""
    work = _PLACEHOLDER.sub(lambda m: " " * len(m.group()), text)
    out: list[Phrase] = []
    seen: set[tuple[int, int]] = set()
    for s, e in _cut(work, 0, len(work), _BOUNDARY):
        a, b = _strip(work, s, e)
        if b <= a:
            continue
        if _useful(work[a:b]) and (a, b) not in seen:
            seen.add((a, b))
            out.append(Phrase(text[a:b], a, b, "clause"))
        for x, y in _cut(work, a, b, _COORD):
            x, y = _strip(work, x, y)
            if y > x and (x, y) not in seen and _useful(work[x:y]):
                seen.add((x, y))
                out.append(Phrase(text[x:y], x, y, "item"))
    return out
