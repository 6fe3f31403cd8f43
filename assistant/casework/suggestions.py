"""The suggestions a counsellor reviews: the last recommendation cards of a conversation, each with a stable ref."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.dialogue.saved import Plan

SUGGESTION_KINDS = ("occupation", "apprenticeship", "training", "step")


def ref_of(card: dict[str, Any]) -> str:
    """What a review points at: scheme:code for an occupation, the offer id, or <step kind>:<what the step cites>.

    Offer ids are kind:source:external id, as the catalog makes them. Steps carry their kind because the
    recognition and certificate steps may cite the same policy passage.
    """
    kind = card["type"]
    if kind == "occupation":
        return f"{card.get('scheme')}:{card.get('code') or card.get('uri')}"
    if kind in ("apprenticeship", "training"):
        return f"{kind}:{card.get('scheme')}:{card.get('code')}"
    return f"{card.get('why')}:{card.get('code') or '-'}"


@dataclass(frozen=True)
class Suggestion:
    """One suggestion as shown to the person: title, why, duration and the source it cites."""

    kind: str
    ref: str
    title: str
    why: str = ""
    duration: str | None = None
    sample: bool = False
    source: dict[str, Any] = field(default_factory=dict)
    code: str | None = None
    step: int | None = None
    step_kind: str | None = None
    to_learn: list[str] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> "Suggestion":
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def of(cls, card: dict[str, Any]) -> "Suggestion":
        source = dict(card.get("source") or {})
        kind = card["type"]
        missing = [m.get("label", "") for m in card.get("skills_missing") or []] if kind == "occupation" else []
        # A step's code is the record it cites (a passage, an offer id, scheme:code); the taxonomy code is in its source.
        code = source.get("code") if kind == "step" else card.get("code")
        return cls(kind=kind, ref=ref_of(card), title=card.get("title") or "", why=card.get("why") or "",
                   duration=card.get("duration"), sample=bool(card.get("sample") or source.get("sample")),
                   source=source, code=code, step=card.get("step"),
                   step_kind=card.get("why") if kind == "step" else None, to_learn=[m for m in missing if m],
                   quality=dict(card.get("quality") or {}))


def suggestions_of(plan: Plan) -> list[Suggestion]:
    """Occupations, apprenticeships, training and pathway steps from the latest recommendations, in that order."""
    cards = plan.occupations + [c for c in plan.offers if c["type"] == "apprenticeship"]
    cards += [c for c in plan.offers if c["type"] == "training"] + plan.steps
    seen: set[tuple[str, str]] = set()
    out = []
    for card in cards:
        suggestion = Suggestion.of(card)
        if (suggestion.kind, suggestion.ref) not in seen:
            seen.add((suggestion.kind, suggestion.ref))
            out.append(suggestion)
    return out
