"""Markdown body lines as plain text for the outline splitter: setext headings as '#' ones, markup dropped."""

from __future__ import annotations

import re
from collections.abc import Sequence

_TABLE_RULE = re.compile(r"\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*")  # the |---|:--:| line under a table header


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
