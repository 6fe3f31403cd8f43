"""POST /api/match: a thin route over the guidance service (one request → profile, occupations, offers, pathway)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from assistant.api.deps import GuidanceDep, RetrievalDep
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


@router.post("/api/match", dependencies=[Depends(per_address("match"))])
def match(body: MatchBody, guidance: GuidanceDep, retrieval: RetrievalDep) -> dict[str, Any]:
    result = guidance.match(MatchRequest(body.text, tuple(body.skills), body.goal, body.location, body.lang, body.k))
    out = result.to_dict()
    warnings = retrieval.holder.warnings()
    if warnings:
        out["warnings"] = warnings
    return out
