"""Console index versions: the list, refresh (a form, and JSON the progress panel polls), rollback with a confirm.

Guarded by operator.py's router. The page works without JavaScript (forms post and redirect back);
web/static/js/operator.js starts refreshes through POST /api/operator/refresh and polls its GET every second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from assistant.api.deps import PagesDep, RefreshDep, RetrievalDep, SessionsDep, UploadsDep
from assistant.api.operator_view import actor, render
from assistant.api.templating import Pages
from assistant.errors import IndexBusyError, NoPreviousVersionError
from assistant.operations.overview import versions_checked
from assistant.operations.refresh import RefreshRunner
from assistant.operations.uploads import imports_since
from assistant.operations.versions import rollback
from assistant.retrieval.runtime import Retrieval

router = APIRouter()
INDEX_PATH = "/operator/index"


@dataclass(frozen=True)
class IndexConsole:
    """The services the index pages read, gathered once per request from the app's dependencies."""

    pages: Pages
    sessions: sessionmaker[Session]
    retrieval: Retrieval
    runner: RefreshRunner


def index_console(pages: PagesDep, sessions: SessionsDep, retrieval: RetrievalDep,
                  runner: RefreshDep) -> IndexConsole:
    return IndexConsole(pages, sessions, retrieval, runner)


Console = Annotated[IndexConsole, Depends(index_console)]


def _index_page(request: Request, console: IndexConsole, *, error: str = "", notice: str = "",
                status_code: int = 200) -> HTMLResponse:
    versions = versions_checked(console.sessions, console.retrieval.versions)
    return render(request, console.pages, "index.html", "index", {
        "versions": versions, "refresh": console.runner.status(), "error": error, "notice": notice,
        "rollback_target": next((v for v in versions if v.rollback_target), None),
        "serving": next((v for v in versions if v.serving), None),
    }, status_code=status_code)


@router.get(INDEX_PATH, response_class=HTMLResponse)
def index_page(request: Request, console: Console) -> HTMLResponse:
    return _index_page(request, console, notice="rolled_back" if request.query_params.get("done") == "rollback" else "")


@router.post(INDEX_PATH + "/refresh", response_class=HTMLResponse)
def refresh_submit(request: Request, console: Console) -> Response:
    try:
        console.runner.start(actor(request))
    except IndexBusyError as exc:  # one is running (here, or `skillpath index` in a shell)
        return _index_page(request, console, error=str(exc), status_code=409)
    return RedirectResponse(f"{INDEX_PATH}#refresh", status_code=303)  # its progress panel shows it running


@router.get(INDEX_PATH + "/rollback", response_class=HTMLResponse)
def rollback_confirm(request: Request, console: Console, uploads: UploadsDep) -> HTMLResponse:
    """The confirm step: what serves now, what would serve after, and the button that does it."""
    versions = versions_checked(console.sessions, console.retrieval.versions)
    target = next((v for v in versions if v.rollback_target), None)
    return render(request, console.pages, "rollback.html", "index", {
        "serving": next((v for v in versions if v.serving), None), "target": target,
        "running": console.runner.status().running,
        # Rolling the index back leaves the store as it is: these imports stay, and the next refresh finds them.
        "imports_since": imports_since(uploads, target.built_at) if target is not None and target.built_at else [],
    })


@router.post(INDEX_PATH + "/rollback", response_class=HTMLResponse)
def rollback_submit(request: Request, console: Console) -> Response:
    try:
        rollback(console.sessions, console.retrieval.versions, actor=actor(request))
    except (NoPreviousVersionError, IndexBusyError) as exc:  # nothing to go back to, or a build holds the lock
        return _index_page(request, console, error=str(exc), status_code=409)
    return RedirectResponse(f"{INDEX_PATH}?done=rollback", status_code=303)


# -- JSON for the progress panel ------------------------------------------------------------------

@router.get("/api/operator/refresh")
def refresh_status(runner: RefreshDep) -> dict[str, Any]:
    return runner.status().to_dict()


@router.post("/api/operator/refresh", status_code=202)
def refresh_start(request: Request, runner: RefreshDep) -> JSONResponse:
    """202 with the status; 409 (IndexBusyError, from the app's error handler) while a refresh runs."""
    status = runner.start(actor(request))
    return JSONResponse(status.to_dict(), status_code=202)


@router.get("/api/operator/versions")
def versions_list(sessions: SessionsDep, retrieval: RetrievalDep) -> dict[str, Any]:
    return {"versions": [v.to_dict() for v in versions_checked(sessions, retrieval.versions)]}
