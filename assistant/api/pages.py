"""The job-seeker's pages: the chat at / and the printable plan at /plan/{session_id}."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assistant.api.deps import DialogueDep, PagesDep, SettingsDep

router = APIRouter(include_in_schema=False)

# UI strings the chat script needs (it draws replies and cards); the rest stay on the server.
SCRIPT_STRING_PREFIXES = ("chat_", "card_", "step_", "scheme_")


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request, pages: PagesDep, dialogue: DialogueDep, settings: SettingsDep) -> HTMLResponse:
    lang = pages.language(request)
    strings = {k: v for k, v in pages.strings[lang].items() if k.startswith(SCRIPT_STRING_PREFIXES)}
    # The consent notice says when the record goes by itself (0: it stays until the person deletes it).
    retention_days = settings.retention_days_conversations
    return pages.render(request, "chat.html", {"opening": dialogue.opening(lang),
                                               "script_strings": strings, "retention_days": retention_days})


@router.get("/plan/{session_id}", response_class=HTMLResponse)
def plan_page(request: Request, session_id: str, pages: PagesDep, dialogue: DialogueDep) -> HTMLResponse:
    plan = dialogue.plan(session_id)  # NotFoundError → the 404 page
    response = pages.render(request, "plan.html", {"plan": plan})
    # Personal data: not cached, not indexed, and the address (which holds the session id) never sent on.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
