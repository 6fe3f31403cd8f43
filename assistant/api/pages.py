"""The job-seeker's pages: the chat at / and the printable plan at /plan/{session_id}.

The plan's address holds only the conversation id; the chat's plan link adds the key after `#`, which browsers
never send. Asked for without the key (or for an unknown id) the page is the same locked shell with a 404; its
script reads the key from the address, fetches the page again with the key in a header, and shows that.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assistant.api.auth import ConversationAccess
from assistant.api.deps import DialogueDep, PagesDep, SettingsDep
from assistant.errors import NotFoundError

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
def plan_page(request: Request, session_id: str, pages: PagesDep, dialogue: DialogueDep,
              access: ConversationAccess) -> HTMLResponse:
    try:
        plan = dialogue.plan(session_id, access)
    except NotFoundError:
        # Unknown, deleted, or no key: one answer for all three, so the page tells nobody which it was.
        plan = None
    response = pages.render(request, "plan.html", {"plan": plan}, status_code=200 if plan else 404)
    # Personal data: not cached, not indexed, and the address (which holds the session id) never sent on.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
