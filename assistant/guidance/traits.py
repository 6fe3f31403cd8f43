"""Realistic picks: what an occupation usually asks (degree, shifts, computer, phone, physical work, on site) against
what the person said they can and cannot do. The table is team-written by classification group (data/occupation-traits.tsv)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.retrieval.catalog import OccupationInfo
from assistant.understanding.profile import Profile

TRAITS_FILE = Path(__file__).resolve().parent / "data" / "occupation-traits.tsv"
# A stated limit rules out occupations with this trait (profile.LIMITS); home-based asks for the opposite.
AVOID = {"no-shifts": "shifts", "no-computer": "computer", "no-phone": "phone", "wheelchair": "physical"}
NEEDS_TRAIT = {"home-based": "remote"}
# Schooling that opens the occupations a degree is the usual entry to (patterns._LEVELS).
DEGREE_LEVELS = frozenset({"bachelor", "master", "doctorate"})
BELOW_DEGREE = frozenset({"none", "primary", "junior-secondary", "senior-secondary", "vocational-secondary",
                          "vocational-college"})
ADULT_AGE = 18
# The head of an English title that names running others' work ("manager", not "management consultant").
_LEAD_TITLE = re.compile(r"\b(?:manager|director|supervisor|superintendent|head of|chief)\b(?!\s+(?:assistant|clerk))",
                         re.I)
LEAD_YEARS = 3.0  # years of work after which a management role is a realistic next step
LONGER_ROUTE_KNOWN = 0.35  # factor for a degree occupation when the person's schooling is known to be below it
LONGER_ROUTE_UNKNOWN = 0.7  # and when their schooling was not said: plausible, but not a first pick


@dataclass(frozen=True)
class Fit:
    """Whether an occupation fits the person: the limits it contradicts, and whether it is a longer route."""

    conflicts: tuple[str, ...]  # the person's limits this occupation contradicts
    longer_route: bool  # it usually needs a degree, or years of work, the person has not said they have
    factor: float  # what its score is multiplied by (1.0: no concern)


@functools.cache
def _table() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    csco: dict[str, frozenset[str]] = {}
    isco: dict[str, frozenset[str]] = {}
    for line in TRAITS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        scheme, prefix, traits, _group = line.split("\t")
        values = frozenset() if traits.strip() == "-" else frozenset(traits.split())
        (csco if scheme == "csco" else isco)[prefix] = values
    return csco, isco


def traits(info: OccupationInfo) -> frozenset[str]:
    """The traits of the longest group prefix that matches (CSCO code, or the ISCO code of an ESCO occupation).

    An ESCO occupation of the light set carries no ISCO code; its English title still says when it runs other
    people's work (elderly home manager, site supervisor), which is the one trait a title shows reliably."""
    code = info.code if info.scheme == "csco2022" else info.isco_code
    if not code and info.language == "en" and _LEAD_TITLE.search(info.title):
        return frozenset({"lead"})
    return _traits_of(info.scheme, code)


def _traits_of(scheme: str, code: str | None) -> frozenset[str]:
    csco, isco = _table()
    table = csco if scheme == "csco2022" else isco
    if not code:
        return frozenset()
    for end in range(len(code), 0, -1):
        found = table.get(code[:end])
        if found is not None:
            return found
    return frozenset()


def has_degree(profile: Profile) -> bool | None:
    """True/False where the person's schooling (or their past work) says so, None when nothing does."""
    if profile.education in DEGREE_LEVELS:
        return True
    if profile.education in BELOW_DEGREE:
        return False
    # Unsaid: work that all needed no degree (a maternity nanny, a welder) says a degree is unlikely.
    placed = [e.occupation for e in profile.experience if e.occupation and e.occupation.code]
    if placed and all("degree" not in _traits_of(o.scheme, o.code) for o in placed):
        return False
    return None


def fit(info: OccupationInfo, profile: Profile, *, asked: bool, worked: bool = False) -> Fit:
    """How an occupation sits with the person's limits and schooling. `asked`: it is their stated goal (then it
    is never pushed down, only marked); `worked`: they have done this work before (then a degree is no barrier)."""
    have = traits(info)
    limits = profile.constraints.limits
    conflicts = [limit for limit in limits if AVOID.get(limit) in have]
    conflicts += [limit for limit in limits if limit in NEEDS_TRAIT and NEEDS_TRAIT[limit] not in have]
    if "adult" in have and profile.age is not None and profile.age < ADULT_AGE:
        conflicts.append("minor")  # not a preference: the law keeps under-18s out of this work
    degree = has_degree(profile)
    longer = "degree" in have and not worked and degree is not True
    # Managing comes after years in the field: someone with little or no work behind them starts further back.
    paid_years = years_worked(profile, paid=True)
    leads_first = "lead" in have and not worked and paid_years < LEAD_YEARS
    longer = longer or leads_first
    factor = 1.0
    if longer and not asked:
        # Known to be far: schooling below a degree, under 25, or managing others with no paid work behind them.
        far = degree is False or profile.age is not None and profile.age < 25 or leads_first and paid_years == 0
        factor = LONGER_ROUTE_KNOWN if far else LONGER_ROUTE_UNKNOWN
    if "minor" in conflicts:
        return Fit(tuple(conflicts), longer, 0.0)  # even when asked for
    return Fit(tuple(conflicts), longer, 0.0 if conflicts and not asked else factor)


def years_worked(profile: Profile, *, paid: bool = False) -> float:
    """Years of work the person has told of, all jobs together; with `paid`, without caring for family and
    volunteering (getattr: profiles stored before `unpaid` existed have none)."""
    return sum(e.years or 0.0 for e in profile.experience if not (paid and getattr(e, "unpaid", False)))
