"""Writes the settings table of docs/operating.md from the one declaration in assistant/config.py.

Usage: python scripts/settings_table.py [--check]   (--check: exit 1 if the docs are out of date, change nothing)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "operating.md"
BLOCK = re.compile(r"(<!-- settings:begin -->\n)(.*?)(<!-- settings:end -->)", re.S)


def table() -> str:
    """The Markdown table: variable, type, default, meaning (older names still read, at the end of the meaning)."""
    sys.path.insert(0, str(ROOT))
    from assistant.config import Settings

    rows = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    for s in Settings.describe():
        doc = s.doc.replace("|", "\\|")
        if s.old_names:
            doc += " Also read under its old name " + ", ".join(f"`{n}`" for n in s.old_names) + "."
        default = f"`{s.default}`" if s.default not in ("", None) else "(empty)"
        rows.append(f"| `{s.env}` | {s.type} | {default} | {doc} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    if not BLOCK.search(text):
        raise SystemExit(f"{DOC}: the markers <!-- settings:begin --> and <!-- settings:end --> are missing")
    return BLOCK.sub(lambda m: m.group(1) + table() + m.group(3), text)


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run python scripts/settings_table.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
