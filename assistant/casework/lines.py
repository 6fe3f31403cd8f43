"""A counsellor's changes to experience and goal lines: edit (re-read what the counsellor typed) or remove.

Each change returns the line's key before and the line after, which the service records as a correction: the
chat re-applies it every turn (assistant.guidance.corrections), so the person's next message cannot bring the old
reading back (离家近 misread as the goal 家庭教育指导师 stays corrected).
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.casework.errors import CaseError
from assistant.guidance.corrections import goal_key
from assistant.understanding.profile import Experience, OccupationRef, Profile

# Reads an occupation from what a counsellor typed, in a language (ProfileExtractor.occupation); None: none found.
OccupationAnchor = Callable[[str, str], OccupationRef | None]
MAX_LINE = 200
LINE_FIELDS = ("experience", "goal")
Line = Experience | OccupationRef | str


def _text(text: str) -> str:
    words = " ".join((text or "").split())
    if not words:
        raise CaseError("line_empty", "write what the line should say")
    if len(words) > MAX_LINE:
        raise CaseError("line_long", f"the line is {len(words)} characters; the limit is {MAX_LINE}", limit=MAX_LINE)
    return words


def _missing(field: str, key: str) -> CaseError:
    return CaseError("line_missing", f"no {field} '{key}' in this profile (the job seeker may have changed it)",
                     field=field, line=key)


def experience_index(profile: Profile, key: str) -> int:
    for i, e in enumerate(profile.experience):
        if e.what == key:
            return i
    raise _missing("experience", key)


def edit_experience(profile: Profile, key: str, text: str, anchor: OccupationAnchor | None) -> Experience:
    """The line says what the counsellor typed, normalised again to an occupation; place, years, words stay."""
    i = experience_index(profile, key)
    old, words = profile.experience[i], _text(text)
    occupation = anchor(words, profile.language) if anchor is not None else None
    new = Experience(words, occupation, old.where, old.years, old.evidence, old.unpaid, old.story)
    profile.experience[i] = new
    return new


def remove_experience(profile: Profile, key: str) -> None:
    i = experience_index(profile, key)
    del profile.experience[i]


def _goal(profile: Profile, key: str) -> OccupationRef | str:
    for goal in [*profile.goals.occupations, *profile.goals.text]:
        if goal_key(goal) == key:
            return goal
    raise _missing("goal", key)


def edit_goal(profile: Profile, key: str, text: str, anchor: OccupationAnchor | None) -> Line:
    """The goal becomes the occupation the typed words name, or the words themselves when none is found."""
    old, words = _goal(profile, key), _text(text)
    occupation = anchor(words, profile.language) if anchor is not None else None
    new: OccupationRef | str = occupation if occupation is not None else words
    remove_goal(profile, key)
    if isinstance(new, OccupationRef):
        if all(goal_key(g) != goal_key(new) for g in profile.goals.occupations):
            profile.goals.occupations.insert(0 if isinstance(old, OccupationRef) else len(profile.goals.occupations),
                                             new)
    elif new not in profile.goals.text:
        profile.goals.text.append(new)
    return new


def remove_goal(profile: Profile, key: str) -> None:
    _goal(profile, key)
    profile.goals.occupations = [g for g in profile.goals.occupations if goal_key(g) != key]
    profile.goals.text = [g for g in profile.goals.text if goal_key(g) != key]
