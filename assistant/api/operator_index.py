"""Console index versions: the list, refresh (a form, and JSON the progress panel polls), rollback with a confirm.

Guarded by operator.py's router. The page works without JavaScript (forms post and redirect back);
web/static/js/operator.js starts refreshes through POST /api/operator/refresh and polls its GET every second.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assistant.api.operator_view import actor, render
from assistant.errors import IndexBusyError, NoPreviousVersionError
from assistant.operations.overview import versions_checked
from assistant.operations.refresh import RefreshRunner
from assistant.operations.versions import rollback

router = APIRouter()
INDEX_PATH = "/operator/index"


def _runner(request: Request) -> RefreshRunner:
    return request.app.state.refresh


def _index_page(request: Request, *, error: str = "", notice: str = "", status_code: int = 200) -> HTMLResponse:
    state = request.app.state
    versions = versions_checked(state.sessions, state.retrieval.versions)
    return render(request, "index.html", "index", {
        "versions": versions, "refresh": _runner(request).status(), "error": error, "notice": notice,
        "rollback_target": next((v for v in versions if v.rollback_target), None),
        "serving": next((v for v in versions if v.serving), None),
    }, status_code=status_code)


@router.get(INDEX_PATH, response_class=HTMLResponse)
def index_page(request: Request) -> HTMLResponse:
    return _index_page(request, notice="rolled_back" if request.query_params.get("done") == "rollback" else "")


@router.post(INDEX_PATH + "/refresh", response_class=HTMLResponse)
def refresh_submit(request: Request) -> Response:
    try:
        _runner(request).start(actor(request))
    except IndexBusyError as exc:  # one is running (here, or `skillpath index` in a shell)
        return _index_page(request, error=str(exc), status_code=409)
    return RedirectResponse(f"{INDEX_PATH}#refresh", status_code=303)  # its progress panel shows it running


@router.get(INDEX_PATH + "/rollback", response_class=HTMLResponse)
def rollback_confirm(request: Request) -> HTMLResponse:
    """The confirm step: what serves now, what would serve after, and the button that does it."""
    state = request.app.state
    versions = versions_checked(state.sessions, state.retrieval.versions)
    return render(request, "rollback.html", "index", {
        "serving": next((v for v in versions if v.serving), None),
        "target": next((v for v in versions if v.rollback_target), None),
        "running": _runner(request).status().running,
    })


@router.post(INDEX_PATH + "/rollback", response_class=HTMLResponse)
def rollback_submit(request: Request) -> Response:
    state = request.app.state
    try:
        rollback(state.sessions, state.retrieval.versions, actor=actor(request))
    except (NoPreviousVersionError, IndexBusyError) as exc:  # nothing to go back to, or a build holds the lock
        return _index_page(request, error=str(exc), status_code=409)
    return RedirectResponse(f"{INDEX_PATH}?done=rollback", status_code=303)


# -- JSON for the progress panel ------------------------------------------------------------------

@router.get("/api/operator/refresh")
def refresh_status(request: Request) -> dict[str, Any]:
    return _runner(request).status().to_dict()


@router.post("/api/operator/refresh", status_code=202)
def refresh_start(request: Request) -> JSONResponse:
    """202 with the status; 409 (IndexBusyError, from the app's error handler) while a refresh runs."""
    status = _runner(request).start(actor(request))
    return JSONResponse(status.to_dict(), status_code=202)


@router.get("/api/operator/versions")
def versions_list(request: Request) -> dict[str, Any]:
    state = request.app.state
    return {"versions": [v.to_dict() for v in versions_checked(state.sessions, state.retrieval.versions)]}
