"""/api/chat: thin routes over the dialogue manager: a turn (message in, reply with cited cards out), read back,
export (everything stored for the conversation) and delete.

Each needs the conversation's key (see assistant/dialogue/access.py): a turn takes it inside `session_id` (the
handle the previous reply gave) or in the X-Conversation-Key header; reading, export and delete take it in the
header, or a counsellor's login. Without it the answer is the 404 an unknown id gets.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from assistant.api.auth import KEY_HEADER, ConversationAccess
from assistant.api.deps import DialogueDep, SessionsDep
from assistant.api.inputs import Text
from assistant.api.ratelimit import per_address, per_conversation
from assistant.dialogue.access import Handle
from assistant.dialogue.export import export_conversation

router = APIRouter()


class ChatBody(BaseModel):
    """The HTTP schema; the manager checks the rest (empty, over-long: 400 naming the limit; unknown lang)."""

    session_id: Text | None = Field(None, description="null to start a conversation; the session_id of the last "
                                                      "reply, as it was, to go on (it holds the conversation's key)")
    message: Text = Field(..., description="what the person says, Chinese or English")
    lang: Text | None = Field(None, description="zh | en; detected from each message when absent")


@router.post("/api/chat", dependencies=[Depends(per_address("chat"))])
def chat(request: Request, body: ChatBody, dialogue: DialogueDep) -> dict[str, Any]:
    handle = Handle.parse(body.session_id) if body.session_id else None
    per_conversation(request, handle.conversation_id if handle else None)
    key = request.headers.get(KEY_HEADER) or None
    return dialogue.turn(body.session_id, body.message, body.lang, key=key).to_dict()


@router.get("/api/chat/{session_id}")
def chat_state(session_id: str, dialogue: DialogueDep, access: ConversationAccess) -> dict[str, Any]:
    """The stored conversation (phase, profile, last cards, messages) so a reloaded page can pick it up again."""
    return dialogue.view(session_id, access)


@router.get("/api/chat/{session_id}/export")
def chat_export(session_id: str, sessions: SessionsDep, access: ConversationAccess) -> JSONResponse:
    """Everything stored for the conversation (messages, profile, counsellors' reviews, notes, plan), as a file."""
    document = export_conversation(sessions, session_id, access)
    filename = f"skillpath-{document['conversation']['id'][:8]}.json"
    return JSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.delete("/api/chat/{session_id}", status_code=204)
def chat_delete(session_id: str, dialogue: DialogueDep, access: ConversationAccess) -> Response:
    """Really deletes the conversation, its messages and the casework on it; a second call answers 404."""
    dialogue.delete(session_id, access)
    return Response(status_code=204)
