"""A counsellor's changes to the skills in a profile: confirm, re-anchor, remove, add; the person's words stay."""

from __future__ import annotations

from collections.abc import Callable

from assistant.casework.errors import CaseError
from assistant.understanding.profile import Profile, SkillClaim

# Turns what a counsellor typed (a label or a taxonomy URI) into an anchored claim; GuidanceService.skill_from_form.
Anchor = Callable[[str], SkillClaim | None]
MAX_LABEL = 200
COUNSELLOR = "counsellor"


def _find(profile: Profile, skill_id: str) -> SkillClaim:
    for claim in profile.skills:
        if claim.id == skill_id:
            return claim
    raise CaseError("skill_missing", f"no skill '{skill_id}' in this profile (the job seeker may have removed it)",
                    skill=skill_id)


def _label(text: str) -> str:
    label = " ".join(text.split())
    if not label:
        raise CaseError("skill_label_empty", "give the skill's name or its taxonomy URI")
    if len(label) > MAX_LABEL:
        raise CaseError("skill_label_long", f"the skill's name is {len(label)} characters; the limit is {MAX_LABEL}",
                        limit=MAX_LABEL)
    return label


def _anchored(text: str, anchor: Anchor | None) -> SkillClaim:
    """The taxonomy concept for what was typed; the words themselves when nothing anchors them."""
    found = anchor(text) if anchor is not None else None
    if found is None:
        return SkillClaim(f"text:{text}", text, None, None, None, text, 0.0, True, COUNSELLOR)
    return found


def confirm(profile: Profile, skill_id: str) -> SkillClaim:
    """Mark the skill confirmed by a counsellor; its taxonomy anchor and the person's words are unchanged."""
    claim = _find(profile, skill_id)
    claim.confirmed, claim.origin = True, COUNSELLOR
    return claim


def edit(profile: Profile, skill_id: str, text: str, anchor: Anchor | None) -> tuple[SkillClaim, SkillClaim]:
    """Re-anchor a skill to what the counsellor typed, keeping the person's words as its evidence; (old, new).

    When the new concept is already in the profile the two merge: one entry, both pieces of evidence.
    """
    old = _find(profile, skill_id)
    found = _anchored(_label(text), anchor)
    new = SkillClaim(found.id, found.label, found.scheme, found.uri, found.code, old.evidence, found.confidence,
                     True, COUNSELLOR)
    twin = next((c for c in profile.skills if c.id == new.id and c is not old), None)
    if twin is not None:
        words = [w for w in dict.fromkeys([twin.evidence, old.evidence]) if w]
        twin.evidence, twin.confirmed, twin.origin = " / ".join(words), True, COUNSELLOR
        profile.skills = [c for c in profile.skills if c is not old]
        return old, twin
    profile.skills = [new if c is old else c for c in profile.skills]
    return old, new


def remove(profile: Profile, skill_id: str) -> SkillClaim:
    claim = _find(profile, skill_id)
    profile.remove_skills({claim.id})
    return claim


def add(profile: Profile, text: str, anchor: Anchor | None) -> SkillClaim:
    """A skill the counsellor learnt of; what they typed is its evidence. Refused when the concept is there already."""
    label = _label(text)
    found = _anchored(label, anchor)
    claim = SkillClaim(found.id, found.label, found.scheme, found.uri, found.code, label, found.confidence, True,
                       COUNSELLOR)
    if any(c.id == claim.id for c in profile.skills):
        raise CaseError("skill_duplicate", f"'{claim.label}' is in the profile already", skill=claim.label)
    profile.skills.append(claim)
    return claim
