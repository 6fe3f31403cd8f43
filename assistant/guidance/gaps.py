"""Skill gaps: what an occupation asks (ESCO essential skills, or CSCO tasks) against what the person has shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.retrieval.catalog import Catalog, OccupationInfo
from assistant.understanding.overlap import overlap
from assistant.understanding.profile import Profile

# A requirement counts as met when the person's words cover this share of it (or a claim anchors in it directly).
COVERED = 0.5
MAX_REQUIREMENTS = 12  # ESCO lists up to ~40 essential skills; the first dozen are enough to talk about


@dataclass(frozen=True)
class Requirement:
    """One thing an occupation asks for, citing where the requirement comes from."""

    id: str
    label: str
    basis: str  # esco-essential | csco-task
    uri: str | None
    code: str | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """A requirement and whether the person has it, with the evidence (their words) and a score."""

    requirement: Requirement
    covered: bool
    score: float
    evidence: str | None

    def to_dict(self) -> dict[str, object]:
        r = self.requirement
        out: dict[str, object] = {"id": r.id, "label": r.label, "basis": r.basis, "uri": r.uri, "code": r.code}
        if self.covered:
            out.update(evidence=self.evidence, score=round(self.score, 3))
        if r.tags:
            out["tags"] = list(r.tags)
        return out


def requirements(catalog: Catalog, info: OccupationInfo,
                 infer: Callable[[OccupationInfo], list[Requirement]] | None = None,
                 have: frozenset[str] = frozenset()) -> list[Requirement]:
    """ESCO essential skills where the store has the relations; else CSCO task lines; else inferred (marked so).

    Of a long ESCO list, the skills the person has (`have`: their anchored skill URIs) come first, so that the dozen
    talked about includes what they already bring."""
    if info.essential:
        out = []
        ordered = [u for u in info.essential if u in have] + [u for u in info.essential if u not in have]
        for uri in ordered[:MAX_REQUIREMENTS]:
            label, tags, _source = catalog.skills.get(uri, (uri, (), {}))
            out.append(Requirement(f"{info.scheme}:{uri}", label, "esco-essential", uri, None, tags))
        return out
    tasks = catalog.tasks.get(info.key, [])
    if tasks:
        return [Requirement(t.id, t.text, "csco-task", None, f"{info.code}#task{t.ordinal}")
                for t in tasks[:MAX_REQUIREMENTS]]
    # The light ESCO set has no occupation-skill relations: the skills nearest the occupation's description stand
    # in, labelled "esco-inferred" so nobody mistakes them for ESCO's own essential list.
    return infer(info) if infer is not None else []


def assess(reqs: list[Requirement], profile: Profile) -> list[Assessment]:
    """Match each requirement against the person's anchored skills first, then against their own words."""
    by_id = {s.id: s for s in profile.skills}
    texts = profile.evidence_texts()
    out = []
    for r in reqs:
        claim = by_id.get(r.id)
        if claim is not None:
            out.append(Assessment(r, True, claim.confidence, claim.evidence))
            continue
        best, evidence = 0.0, None
        for text in texts:
            share = overlap(text, r.label)
            if share > best:
                best, evidence = share, text
        out.append(Assessment(r, best >= COVERED, best, evidence if best >= COVERED else None))
    return out
