"""Occupations for someone's interests: their Holland code against the team's codes of occupation groups."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.guidance.traits import fit
from assistant.retrieval.catalog import Catalog, OccupationInfo
from assistant.understanding.interests import InterestProfile, Riasec
from assistant.understanding.profile import Constraints, Profile

INTEREST_FILE = Path(__file__).resolve().parent / "data" / "interest-groups.tsv"
# Iachan's M index (Iachan 1984, "A measure of agreement for use with the Holland classification system", J. Vocat.
# Behav. 24): agreement of two three-letter codes, a letter counting by its place in each (person row, occupation
# column); identical codes score 22 + 5 + 1 = 28. Chosen over a 3/2/1 overlap because it rewards the first letters
# agreeing far more than the third ones, which is how counsellors read codes.
M_WEIGHTS = ((22, 10, 4), (10, 5, 2), (4, 2, 1))
# An occupation led by a type the person said they dislike (不喜欢坐办公室) is pushed down, by the letter's place.
DISLIKED = (0.3, 0.85, 1.0)
MIN_AGREEMENT = 0.2  # below this share of a perfect match the occupation has next to nothing of what they like
NUANCE = (3, 2, 1)  # weights of an occupation's letters when breaking ties by the person's whole profile
SAID_PER_TYPE = 2  # of the person's own words per interest, named back in the reason


@dataclass(frozen=True)
class GroupCode:
    """One row of the table: the Holland code of a classification group ("" where the group gets none)."""

    scheme: str  # csco | isco
    prefix: str
    code: str
    group: str


@dataclass(frozen=True)
class InterestMatch:
    """An occupation proposed from interests: how well its Holland code agrees, and why, in the person's language."""

    occupation: str  # OccupationInfo.key
    title: str
    language: str
    code: str  # the Holland code of its group
    score: float  # agreement × the realism factors (0..1)
    agreement: float  # Iachan's M index, as a share of a perfect match
    shared: tuple[Riasec, ...]  # the person's top types this work calls on, theirs first
    longer_route: bool  # it usually needs a degree, or years in the field, first
    reason: str


@functools.cache
def rows() -> tuple[GroupCode, ...]:
    out = []
    for n, line in enumerate(INTEREST_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[0] not in ("csco", "isco"):
            raise ValueError(f"{INTEREST_FILE}:{n}: expected 'csco|isco<TAB>prefix<TAB>code<TAB>group'")
        scheme, prefix, code, group = parts
        out.append(GroupCode(scheme, prefix, "" if code == "-" else code, group))
    return tuple(out)


@functools.cache
def _tables() -> dict[str, dict[str, GroupCode]]:
    out: dict[str, dict[str, GroupCode]] = {"csco": {}, "isco": {}}
    for row in rows():
        out[row.scheme][row.prefix] = row
    return out


def group_of(scheme: str, code: str) -> GroupCode | None:
    """The row of the longest prefix of a code ("csco": a CSCO 2022 code, "isco": an ISCO-08 code)."""
    table = _tables()[scheme]
    return next((table[code[:end]] for end in range(len(code), 0, -1) if code[:end] in table), None)


def group_for(info: OccupationInfo) -> GroupCode | None:
    """The row for an occupation: by its CSCO code, or by the ISCO code of an ESCO occupation (None: unknown)."""
    if info.scheme == "csco2022":
        return group_of("csco", info.code) if info.code else None
    return group_of("isco", info.isco_code) if info.isco_code else None


def holland_code(info: OccupationInfo) -> str:
    """The Holland code of an occupation's group, "" when the table gives none."""
    row = group_for(info)
    return row.code if row else ""


def agreement(person: str, occupation: str) -> float:
    """Iachan's M index of two Holland codes as a share of the best the person's code can reach (0..1)."""
    if not person:
        return 0.0
    got = sum(M_WEIGHTS[i][occupation.index(p)] for i, p in enumerate(person[:3]) if p in occupation[:3])
    return got / sum(M_WEIGHTS[i][i] for i in range(min(len(person), 3)))


def occupations_for(profile: InterestProfile, catalog: Catalog, *, k: int = 20, age: int | None = None,
                    education: str | None = None, lang: str = "zh", limits: Sequence[str] = ()) -> list[InterestMatch]:
    """The k occupations whose Holland code agrees best with the person's top types. Those that usually need a
    degree (or years of work) come later for someone without one, as in matching (traits.fit); occupations in the
    conversation's language come first where the catalog has both; equal scores take turns between groups."""
    person = profile.top(3)
    if not person:
        return []
    disliked, scores = profile.disliked(), profile.scores()
    about = Profile(education=education, age=age, constraints=Constraints(limits=list(limits)))
    found: list[tuple[OccupationInfo, GroupCode, float, float, bool]] = []
    for info in sorted(catalog.occupations.values(), key=lambda i: (i.scheme, i.code or i.uri or "")):
        row = group_for(info)
        agree = agreement(person, row.code) if row and row.code else 0.0
        if row is None or agree < MIN_AGREEMENT:
            continue
        factor = 1.0
        for place, letter in enumerate(row.code):
            factor *= DISLIKED[place] if Riasec(letter) in disliked else 1.0
        judged = fit(info, about, asked=False)
        if agree * factor * judged.factor > 0:  # zero: a stated limit, or the law (under-18s), rules it out
            found.append((info, row, round(agree * factor * judged.factor, 4), agree, judged.longer_route))
    size = Counter(_family(info) for info, *_ in found)
    turns: Counter[tuple[str, float]] = Counter()
    keys = []
    for info, row, score, _, _ in found:
        turn = turns[(_family(info), score)]
        turns[(_family(info), score)] += 1
        # Equal scores: one occupation per family in turn (the list shows welders, cooks and electricians rather than
        # twenty kinds of machine operator); within a turn, the code that sits better with all the person's answers
        # (RCI before RSE for someone who said 还行 to order and 不喜欢 to people), then the larger families.
        nuance = round(sum(w * scores[Riasec(letter)] for w, letter in zip(NUANCE, row.code)), 4)
        keys.append((info.language != lang, -score, turn, -nuance, -size[_family(info)], _family(info)))
    out = []
    for i in sorted(range(len(found)), key=keys.__getitem__)[:k]:
        info, row, score, agree, longer = found[i]
        shared = tuple(Riasec(p) for p in person if p in row.code)
        out.append(InterestMatch(info.key, info.title, info.language, row.code, score, round(agree, 4), shared, longer,
                                 reason(profile, shared, longer, lang)))
    return out


def _family(info: OccupationInfo) -> str:
    """The occupation's middle group (CSCO 6-18, ISCO sub-major 72): what a list should not repeat."""
    return f"csco:{(info.code or '')[:4]}" if info.scheme == "csco2022" else f"isco:{(info.isco_code or '')[:2]}"


def reason(profile: InterestProfile, shared: Sequence[Riasec], longer: bool, lang: str) -> str:
    """Names the interests an occupation calls on, with the person's own words where they gave some."""
    parts = []
    for kind in shared:
        said = profile.said(kind, lang)[:SAID_PER_TYPE]
        if lang == "zh":
            parts.append(kind.label(lang) + (f"（你说过：{'、'.join(said)}）" if said else ""))
        else:
            parts.append(kind.label(lang) + (f" (you said: {', '.join(said)})" if said else ""))
    if lang == "zh":
        return "符合你的兴趣：" + "；".join(parts) + ("。通常要本科学历或在这行干过几年，路会长一些" if longer else "")
    return "Fits what you like: " + "; ".join(parts) + (
        ". It usually takes a degree or years in the field first: a longer route" if longer else "")
