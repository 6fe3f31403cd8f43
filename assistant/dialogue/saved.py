"""A stored conversation read back: the view the chat page restores, the person's printable plan, its deletion."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assistant.dialogue.access import Access, open_conversation
from assistant.dialogue.render import step_card
from assistant.guidance.corrections import AgreedPlan, Corrections
from assistant.store.conversation_keys import display_case_code
from assistant.store.conversations import delete_conversation, recent_messages
from assistant.store.models import Conversation

# Enough for any real conversation; a page restoring thousands of turns would help nobody.
MAX_RESTORED = 200
OFFER_TYPES = ("apprenticeship", "training")


def _profile(conv: Conversation) -> dict[str, Any]:
    # Only the profile leaves the store: a message held while consent is asked ("pending") stays private.
    return dict((conv.state or {}).get("profile") or {})


def conversation_view(session: Session, conversation_id: str, suggestions: dict[str, dict[str, list[str]]],
                      access: Access) -> dict[str, Any]:
    """Phase, consent, profile, the last cards and the messages, oldest first: enough to redraw the chat."""
    conv = open_conversation(session, conversation_id, access)
    messages = recent_messages(session, conv.id, limit=MAX_RESTORED)
    last = next((m for m in reversed(messages) if m.role == "assistant"), None)
    return {
        "session_id": conv.id,
        "case_code": display_case_code(conv.case_code),
        "language": conv.language,
        "phase": conv.phase,
        "consent": conv.consent,
        "profile": _profile(conv),
        "cards": list(last.cards) if last else [],
        "suggestions": suggestions.get(conv.language, {}).get(conv.phase, []),
        "messages": [{"role": m.role, "text": m.text, "language": m.language, "phase": m.phase,
                      "cards": list(m.cards or []), "created_at": m.created_at.isoformat()} for m in messages],
    }


@dataclass(frozen=True)
class Plan:
    """What the person takes away: profile, the latest recommendations and pathway, the policy they asked about."""

    session_id: str
    case_code: str  # as shown: "K7M-2QX"
    language: str
    consent: bool | None
    updated_at: datetime
    profile: dict[str, Any]
    occupations: list[dict[str, Any]] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    agreed: AgreedPlan | None = None  # the plan agreed with a counsellor: the page shows it first, instead of the pathway

    def corrected(self, corrections: Corrections) -> "Plan":
        """Without the occupations a counsellor rejected, with the plan a counsellor agreed on."""
        kept = [c for c in self.occupations if corrections.allows(str(c.get("scheme")), c.get("code"), c.get("uri"))]
        return replace(self, occupations=kept, agreed=corrections.plan)

    @property
    def has_sample(self) -> bool:
        return any(c.get("sample") or (c.get("source") or {}).get("sample") for c in self.offers + self.steps)

    @property
    def is_empty(self) -> bool:
        return not (self.occupations or self.offers or self.steps or self.policies)


def build_plan(session: Session, conversation_id: str, access: Access) -> Plan:
    """The newest cards of each kind from the stored messages; the pathway saved with the recommendations otherwise."""
    conv = open_conversation(session, conversation_id, access)
    newest_first = list(reversed(recent_messages(session, conv.id, limit=MAX_RESTORED)))
    cards = [m.cards or [] for m in newest_first if m.role == "assistant"]
    recommended = next((c for c in cards if any(x["type"] == "occupation" for x in c)), [])
    steps = next((c for c in cards if any(x["type"] == "step" for x in c)), [])
    if not steps:
        # The recommendation turn keeps its pathway in the state, so a plan has steps before anyone asks for them.
        saved = ((conv.state or {}).get("last") or {}).get("pathway") or []
        steps = [step_card(s, conv.language) for s in saved]
    policies: dict[str, dict[str, Any]] = {}
    for group in reversed(cards):  # oldest first, so the person reads them in the order they asked
        for c in group:
            if c["type"] == "policy":
                policies.setdefault(c["code"], c)
    return Plan(
        session_id=conv.id,
        case_code=display_case_code(conv.case_code),
        language=conv.language,
        consent=conv.consent,
        updated_at=conv.updated_at,
        profile=_profile(conv),
        occupations=[c for c in recommended if c["type"] == "occupation"],
        offers=[c for c in recommended if c["type"] in OFFER_TYPES],
        steps=[c for c in steps if c["type"] == "step"],
        policies=list(policies.values()),
    )


def forget(session: Session, conversation_id: str, access: Access) -> None:
    """Really delete the conversation and every message of it; unknown ids are a 404, not a silent success."""
    open_conversation(session, conversation_id, access)
    delete_conversation(session, conversation_id)
