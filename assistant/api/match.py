"""POST /api/match: a thin route over the guidance service (one request → profile, occupations, offers, pathway).

With a conversation's `session_id` (and its key, or a counsellor's login) the match honours what the person's
counsellors corrected: rejected occupations stay out, corrected lines replace the text's reading."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from assistant.api.auth import ConversationAccess
from assistant.api.deps import DialogueDep, GuidanceDep, RetrievalDep
from assistant.api.inputs import Text
from assistant.api.ratelimit import per_address
from assistant.guidance.service import MatchRequest

router = APIRouter()


class MatchBody(BaseModel):
    """The HTTP schema (the service's MatchRequest validates limits and says which field is wrong)."""

    text: Text = Field("", description="free text about experience, skills, goals, Chinese or English")
    skills: list[Text] = Field(default_factory=list, description="skill labels or ESCO skill URIs")
    goal: Text = Field("", description="target occupation or sector")
    location: Text = Field("", description="city or province")
    lang: Text | None = Field(None, description="zh | en (detected from the text when absent)")
    k: int = Field(10, description="number of occupations, 1..50")
    session_id: Text | None = Field(None, description="a conversation's session_id (with its key, or the key in "
                                                      "X-Conversation-Key, or a counsellor's login): honour what "
                                                      "the person's counsellors corrected")


@router.post("/api/match", dependencies=[Depends(per_address("match"))])
def match(body: MatchBody, guidance: GuidanceDep, retrieval: RetrievalDep, dialogue: DialogueDep,
          access: ConversationAccess) -> dict[str, Any]:
    corrections = dialogue.corrections(body.session_id, access) if body.session_id else None
    request = MatchRequest(body.text, tuple(body.skills), body.goal, body.location, body.lang, body.k)
    result = guidance.match(request, corrections)
    out = result.to_dict()
    warnings = retrieval.holder.warnings()
    if warnings:
        out["warnings"] = warnings
    return out
