"""POST /api/chat: a thin route over the dialogue manager (one message in, one reply with cited cards out)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

router = APIRouter()


class ChatBody(BaseModel):
    """The HTTP schema; length limits are the manager's, which answers an over-long message with a reply."""

    session_id: str | None = Field(None, description="null to start a conversation; the id from a reply to go on")
    message: str = Field(..., description="what the person says, Chinese or English")
    lang: str | None = Field(None, description="zh | en; detected from each message when absent")


@router.post("/api/chat")
def chat(request: Request, body: ChatBody) -> dict[str, Any]:
    return request.app.state.dialogue.turn(body.session_id, body.message, body.lang).to_dict()
