"""/api/chat: thin routes over the dialogue manager: a turn (message in, reply with cited cards out), read back, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
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


@router.get("/api/chat/{session_id}")
def chat_state(request: Request, session_id: str) -> dict[str, Any]:
    """The stored conversation (phase, profile, last cards, messages) so a reloaded page can pick it up again."""
    return request.app.state.dialogue.view(session_id)


@router.delete("/api/chat/{session_id}", status_code=204)
def chat_delete(request: Request, session_id: str) -> Response:
    """Really deletes the conversation and its messages; a second call answers 404."""
    request.app.state.dialogue.delete(session_id)
    return Response(status_code=204)
