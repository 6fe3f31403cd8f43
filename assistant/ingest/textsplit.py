"""Chinese-aware text utilities: language, sentences, chunks, outline headings and sections."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.text import Language, language_of
# A block is a heading (rank, text) or a paragraph (None, text); lower ranks nest higher.
Block = tuple[int | None, str]
HeadingFn = Callable[[str], tuple[int, str] | None]

# Passage size limits in characters: a Chinese character carries roughly a word's meaning,
# so Chinese passages are shorter in characters for the same amount of content.
MAX_CHARS: dict[str, int] = {"zh": 300, "en": 800}

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width punctuation also glues without spaces when lines or sentences are joined.
_CJK_EDGE = re.compile(f"[{_CJK}\u3000-\u303f\uff00-\uffef\u2014\u2026\u201c\u201d\u2018\u2019]")

_CLOSERS = "」』”’）)】》〉\"'\\]"
_ZH_END_RE = re.compile(f"(?:[。！？；!?;]+|…+|\\.{{3,}})[{_CLOSERS}]*")
_EN_END_RE = re.compile(f"[.!?]+[{_CLOSERS}]*(?=\\s+[\"“‘(\\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "e.g i.e cf vs al mr mrs ms dr prof sr jr st no nos art arts fig figs vol vols p pp para "
    "sec ch approx inc ltd co corp dept est jan feb mar apr jun jul aug sep sept oct nov dec "
    "u.s u.k ph.d".split()
)
SENTENCE_END = "。！？；!?;…"

# Outline markers of plain-text (mostly Chinese) documents, with a rank: a heading nests
# under every open heading of lower rank. '#' headings (ranks 1-6) sit above all of them.
_NUM = "一二三四五六七八九十百零〇两"
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (8, re.compile(f"^第[{_NUM}0-9]+[编部][分]?\\s*\\S")),
    (10, re.compile(f"^第[{_NUM}0-9]+章\\s*\\S")),
    (10, re.compile(r"^(?=[IVX])(?:X{0,3}(?:IX|IV|V?I{0,3}))[.、．]\s*\S")),
    (15, re.compile(f"^第[{_NUM}0-9]+节\\s*\\S")),
    (20, re.compile(f"^[{_NUM}]+[、．.]\\s*\\S")),
    (30, re.compile(f"^[（(][{_NUM}]+[)）]\\s*\\S")),
    (35, re.compile(f"^第[{_NUM}0-9]+条\\s*\\S")),
    (40, re.compile(r"^[0-9]{1,2}[.．、](?![0-9])\s*\S")),
    (50, re.compile(r"^[0-9]{1,2}(?:\.[0-9]{1,2}){1,3}\.?\s+\S")),
    (60, re.compile(r"^[（(][0-9]{1,2}[)）]\s*\S")),
)
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
HEADING_MAX_CHARS = 40
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
WORD_LOOKBACK = 24  # characters before a full stop searched for the word it ends; longer words are no abbreviation
_BULLET_RE = re.compile(r"^[-*+•·▪●]\s+")
# Numbered items ('3.', '(a)', '（二）', '第五条'): a new paragraph when the line before ended one.
_ITEM_RE = re.compile(
    r"^(?:[（(][0-9A-Za-z一二三四五六七八九十]{1,4}[)）]|[0-9]{1,3}[.．、](?![0-9])"
    r"|[一二三四五六七八九十]{1,3}、|第\S{1,4}[章节条])"
)


def join_text(left: str, right: str) -> str:
    """Join two pieces of text, with a space unless either side is CJK at the seam."""
    if not left or not right:
        return left + right
    if _CJK_EDGE.match(left[-1]) or _CJK_EDGE.match(right[0]):
        return left + right
    return f"{left} {right}"


def _needs_space(left: str, right: str) -> bool:
    """Whether join_text puts a space at the seam of two non-empty pieces."""
    return not (_CJK_EDGE.match(left[-1]) or _CJK_EDGE.match(right[0]))


def _join_pieces(pieces: Sequence[str]) -> str:
    """join_text over many pieces in linear time (joining one by one copies the growing text each time)."""
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if out and _needs_space(out[-1], piece):
            out.append(" ")
        out.append(piece)
    return "".join(out)


def normalize_lines(lines: Sequence[str]) -> str:
    """Join hard-wrapped lines of one paragraph, collapsing runs of spaces and tabs."""
    return _join_pieces([_SPACES.sub(" ", line).strip() for line in lines])


def ends_sentence(text: str) -> bool:
    """True when text ends with a sentence terminator (possibly followed by closing quotes)."""
    stripped = text.rstrip().rstrip(_CLOSERS.replace("\\", ""))
    return bool(stripped) and (stripped[-1] in SENTENCE_END or stripped[-1] == ".")


def _word_before(text: str, end: int) -> str:
    """The last word of text[:end], looking back a bounded distance (all of text[:end] made long lines quadratic)."""
    low = max(0, end - WORD_LOOKBACK)
    words = text[low:end].split()
    if not words:
        return ""
    cut_inside = low > 0 and len(words) == 1 and not text[low - 1].isspace() and not text[low].isspace()
    return "\u2026" if cut_inside else words[-1]  # a word longer than the window: no abbreviation, no initial


def _english_ends(text: str) -> list[int]:
    ends = []
    for match in _EN_END_RE.finditer(text):
        if match.group().startswith("."):
            word = _word_before(text, match.start()).lstrip("(\"'[“‘").lower()
            # Abbreviations and single-letter initials ("J. Smith") do not end a sentence.
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        ends.append(match.end())
    return ends


def split_sentences(text: str, language: str) -> list[str]:
    """Split text into sentences; line breaks always end a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        ends = set(_english_ends(line))
        if language == "zh":
            # Chinese text quotes English too, so the English rule applies as well.
            ends.update(m.end() for m in _ZH_END_RE.finditer(line))
        start = 0
        for end in sorted(ends) + [len(line)]:
            piece = line[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
    return sentences


def _hard_split(sentence: str, max_chars: int) -> list[str]:
    """Cut an over-long sentence, preferring a clause mark or space in the window's second half.

    Linear: the window moves along one string (slicing off the rest after every cut copied it each time).
    """
    pieces = []
    sentence = sentence.strip()
    start, end = 0, len(sentence)
    while end - start > max_chars:
        stop = start + max_chars
        cut = max(sentence.rfind(mark, start, stop) for mark in "，、：,: ") + 1
        if cut <= start + max_chars // 2:
            cut = stop
        pieces.append(sentence[start:cut].strip())
        start = cut
        while start < end and sentence[start].isspace():
            start += 1
    rest = sentence[start:end]
    return pieces + ([rest] if rest else [])


def chunk_sentences(sentences: Sequence[str], max_chars: int, overlap_sentences: int = 0) -> list[str]:
    """Pack whole sentences into chunks of at most max_chars, repeating the last few if asked."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    units = [piece for s in sentences for piece in _hard_split(s.strip(), max_chars) if piece]
    chunks: list[str] = []
    current: list[str] = []
    length = 0  # len(_join_pieces(current)), kept as units come and go rather than joined again for each

    def joined_length(parts: Sequence[str]) -> int:
        return len(parts[0]) + sum(len(b) + _needs_space(a, b) for a, b in zip(parts, parts[1:])) if parts else 0

    for unit in units:
        if current and length + _needs_space(current[-1], unit) + len(unit) > max_chars:
            chunks.append(_join_pieces(current))
            current = current[len(current) - overlap_sentences :] if overlap_sentences > 0 else []
            length = joined_length(current)
            # Drop carried-over sentences until the new one fits.
            while current and length + _needs_space(current[-1], unit) + len(unit) > max_chars:
                current.pop(0)
                length = joined_length(current)
        length += (_needs_space(current[-1], unit) if current else 0) + len(unit)
        current.append(unit)
    if current:  # always holds at least one sentence not emitted yet
        chunks.append(_join_pieces(current))
    return chunks


def markdown_heading(line: str) -> tuple[int, str] | None:
    """Level and text of an ATX heading ('## Scope'), else None."""
    match = _MD_HEADING_RE.match(line.strip())
    return (len(match.group(1)), match.group(2)) if match else None


def heading_rank(line: str) -> tuple[int, str] | None:
    """Rank and text of a plain-text heading line ('一、总则', '第三条 …', '## x'), else None."""
    line = line.strip()
    md = markdown_heading(line)
    if md or not line:
        return md
    if len(line) > HEADING_MAX_CHARS or ends_sentence(line) or line[-1] in "，,：:、":
        return None
    for rank, pattern in _HEADING_PATTERNS:
        if pattern.match(line):
            return rank, normalize_lines([line])
    return None


CHECK_EVERY = 4096  # lines or blocks between two calls of a budget check


def _no_check() -> None:
    return None


def outline_blocks(lines: Sequence[str], heading: HeadingFn, literal: frozenset[int] = frozenset(),
                   check: Callable[[], None] = _no_check) -> list[Block]:
    """Group lines into headings and paragraphs; blank lines and new list items end paragraphs.

    `check` is called every CHECK_EVERY lines and may raise to stop (a time budget)."""
    blocks: list[Block] = []
    buf: list[str] = []
    prev_item = False

    def flush() -> None:
        if buf:
            blocks.append((None, normalize_lines(buf)))
            buf.clear()

    for number, raw in enumerate(lines):
        if number % CHECK_EVERY == CHECK_EVERY - 1:
            check()
        line = raw.strip()
        if not line:
            flush()
            continue
        if number in literal:  # code blocks: no headings or list items inside
            buf.append(line)
            continue
        # Outline headings and items only start a paragraph: a short wrapped line mid-sentence
        # is text. A colon introduces a list, so a marker after it starts one too.
        at_start = not buf or ends_sentence(buf[-1]) or buf[-1].endswith(("：", ":"))
        found = heading(line) if at_start or line.startswith("#") else None
        if found:
            flush()
            blocks.append(found)
            continue
        bullet = _BULLET_RE.match(line)
        item = bool(bullet or _ITEM_RE.match(line))
        if bullet or (item and buf and (prev_item or at_start)):
            flush()
        if bullet:
            line = line[bullet.end() :]
        prev_item = item and not buf
        buf.append(line)
    flush()
    return blocks


def pack_sections(blocks: Sequence[Block], max_chars: int,
                  check: Callable[[], None] = _no_check) -> list[tuple[tuple[str, ...], str]]:
    """Pack paragraphs into (section path, text) passages that never cross a heading; `check` as in outline_blocks."""
    stack: list[tuple[int, str]] = []
    chunks: list[tuple[tuple[str, ...], str]] = []
    current = ""
    for number, (rank, text) in enumerate(blocks):
        if number % CHECK_EVERY == CHECK_EVERY - 1 or len(text) > CHECK_EVERY * max_chars:
            check()
        path = tuple(t for _, t in stack)
        if rank is not None:
            if current:
                chunks.append((path, current))
                current = ""
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, text))
            continue
        # Whole paragraphs are packed first, so passage breaks fall on paragraph breaks.
        if current and len(current) + 1 + len(text) <= max_chars:
            current = f"{current}\n{text}"
            continue
        if current:
            chunks.append((path, current))
        if len(text) <= max_chars:
            current = text
            continue
        *full, current = chunk_sentences(split_sentences(text, language_of(text)), max_chars)
        chunks.extend((path, chunk) for chunk in full)
    if current:
        chunks.append((tuple(t for _, t in stack), current))
    return chunks
