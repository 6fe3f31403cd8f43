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
_TABLE_RULE = re.compile(r"\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*")  # the |---|:--:| line under a table header
HEADING_MAX_CHARS = 40
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


def normalize_lines(lines: Sequence[str]) -> str:
    """Join hard-wrapped lines of one paragraph, collapsing runs of spaces and tabs."""
    text = ""
    for line in lines:
        text = join_text(text, re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip())
    return text


def ends_sentence(text: str) -> bool:
    """True when text ends with a sentence terminator (possibly followed by closing quotes)."""
    stripped = text.rstrip().rstrip(_CLOSERS.replace("\\", ""))
    return bool(stripped) and (stripped[-1] in SENTENCE_END or stripped[-1] == ".")


def _english_ends(text: str) -> list[int]:
    ends = []
    for match in _EN_END_RE.finditer(text):
        if match.group().startswith("."):
            words = text[: match.start()].split()
            word = (words[-1] if words else "").lstrip("(\"'[“‘").lower()
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
    """Cut an over-long sentence, preferring a clause mark or space in the window's second half."""
    pieces = []
    while len(sentence) > max_chars:
        window = sentence[:max_chars]
        cut = max(window.rfind(mark) for mark in "，、：,: ") + 1
        if cut <= max_chars // 2:
            cut = max_chars
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return pieces + ([sentence] if sentence else [])


def chunk_sentences(sentences: Sequence[str], max_chars: int, overlap_sentences: int = 0) -> list[str]:
    """Pack whole sentences into chunks of at most max_chars, repeating the last few if asked."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    units = [piece for s in sentences for piece in _hard_split(s.strip(), max_chars) if piece]
    chunks: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and len(_join_all(current + [unit])) > max_chars:
            chunks.append(_join_all(current))
            current = current[len(current) - overlap_sentences :] if overlap_sentences > 0 else []
            # Drop carried-over sentences until the new one fits.
            while current and len(_join_all(current + [unit])) > max_chars:
                current.pop(0)
        current.append(unit)
    if current:  # always holds at least one sentence not emitted yet
        chunks.append(_join_all(current))
    return chunks


def _join_all(parts: Sequence[str]) -> str:
    text = ""
    for part in parts:
        text = join_text(text, part)
    return text


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


def outline_blocks(lines: Sequence[str], heading: HeadingFn, literal: frozenset[int] = frozenset()) -> list[Block]:
    """Group lines into headings and paragraphs; blank lines and new list items end paragraphs."""
    blocks: list[Block] = []
    buf: list[str] = []
    prev_item = False

    def flush() -> None:
        if buf:
            blocks.append((None, normalize_lines(buf)))
            buf.clear()

    for number, raw in enumerate(lines):
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


def pack_sections(blocks: Sequence[Block], max_chars: int) -> list[tuple[tuple[str, ...], str]]:
    """Pack paragraphs into (section path, text) passages that never cross a heading."""
    stack: list[tuple[int, str]] = []
    chunks: list[tuple[tuple[str, ...], str]] = []
    current = ""
    for rank, text in blocks:
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


def markdown_lines(lines: Sequence[str]) -> tuple[list[str], frozenset[int]]:
    """Markdown body lines as plain text lines, setext headings rewritten as '#' headings.

    Also returns the indices of code-block lines, where '#' starts no heading.
    """
    out: list[str] = []
    literal: set[int] = set()
    fence = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = "" if fence and stripped.startswith(fence) else (fence or stripped[:3])
            out.append("")
        elif fence:
            literal.add(len(out))
            out.append(line)
        elif re.fullmatch(r"=+|-+", stripped) and out and out[-1].strip() and (len(out) < 2 or not out[-2].strip()):
            # Setext heading: a one-line paragraph underlined with === (level 1) or --- (level 2).
            out[-1] = ("# " if stripped[0] == "=" else "## ") + out[-1].strip()
            out.append("")
        elif re.fullmatch(r"([-*_])(\s*\1){2,}", stripped) or re.fullmatch(_TABLE_RULE, stripped):
            out.append("")  # thematic breaks and table rules carry no text
        else:
            out.append(_markdown_inline(line))
    return out, frozenset(literal)


def _markdown_inline(line: str) -> str:
    # Passages are read as plain text: links and images keep their text, markup goes.
    line = re.sub(r"^\s*>\s?", "", line)
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"</?[A-Za-z][^>]*>", "", line)
    return re.sub(r"\*\*|__|`", "", line)
