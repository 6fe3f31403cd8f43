"""Console audit log: who did what to what and when, newest first, filtered by actor and action, page by page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assistant.api.deps import PagesDep, SessionsDep
from assistant.api.operator_view import render
from assistant.operations.auditlog import ACTIONS, audit_page

router = APIRouter()
FILTER_CHARS = 64  # the actor column's size; longer cannot match anything


def _page_number(raw: str | None) -> int:
    # A mistyped ?page= shows the first page rather than an error: it is a link, not an API parameter.
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@router.get("/operator/audit", response_class=HTMLResponse)
def audit_log(request: Request, pages: PagesDep, sessions: SessionsDep) -> HTMLResponse:
    params = request.query_params
    actor = (params.get("actor") or "").strip()[:FILTER_CHARS]
    action = (params.get("action") or "").strip()[:FILTER_CHARS]
    page = audit_page(sessions, actor=actor, action=action, page=_page_number(params.get("page")))
    filters = {k: v for k, v in (("actor", actor), ("action", action)) if v}

    def link(number: int) -> str:
        return "/operator/audit?" + urlencode({**filters, "page": number})

    actions = ACTIONS if not action or action in ACTIONS else (action, *ACTIONS)  # keep an unlisted filter shown
    return render(request, pages, "audit.html", "audit", {
        "page": page, "actor": actor, "action": action, "actions": actions, "filtered": bool(actor or action),
        "previous_link": link(page.page - 1) if page.has_previous else "",
        "next_link": link(page.page + 1) if page.has_next else "",
    })
