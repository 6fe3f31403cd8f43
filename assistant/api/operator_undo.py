"""Console: undo an import (what goes, counts and a sample, then a confirm), the index following the store after it.

Guarded by operator.py's router. The confirm page changes nothing; the POST undoes in one transaction, then serves
an index version built from the store as it now is (or starts a refresh), and redirects to the upload's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from assistant.api.deps import PagesDep, RefreshDep, RetrievalDep, SessionsDep, UploadsDep
from assistant.api.operator_view import actor, render
from assistant.api.templating import Pages
from assistant.operations.agreement import follow_store
from assistant.operations.refresh import RefreshRunner
from assistant.operations.undo import UndoRefusedError, plan_undo, undo_import
from assistant.operations.uploads import Uploads
from assistant.retrieval.runtime import Retrieval

router = APIRouter()


@dataclass(frozen=True)
class UndoConsole:
    """The services the undo pages use, gathered once per request."""

    pages: Pages
    uploads: Uploads
    sessions: sessionmaker[Session]
    retrieval: Retrieval
    runner: RefreshRunner


def undo_console(pages: PagesDep, uploads: UploadsDep, sessions: SessionsDep, retrieval: RetrievalDep,
                 runner: RefreshDep) -> UndoConsole:
    return UndoConsole(pages, uploads, sessions, retrieval, runner)


Console = Annotated[UndoConsole, Depends(undo_console)]


def _confirm_page(request: Request, console: UndoConsole, upload_id: str, *, status_code: int = 200) -> HTMLResponse:
    upload = console.uploads.get(upload_id)  # NotFoundError: 404
    return render(request, console.pages, "undo.html", "uploads", {
        "upload": upload, "plan": plan_undo(console.uploads, upload_id),
    }, status_code=status_code)


@router.get("/operator/uploads/{upload_id}/undo", response_class=HTMLResponse)
def undo_confirm(request: Request, console: Console, upload_id: str) -> HTMLResponse:
    return _confirm_page(request, console, upload_id)


@router.post("/operator/uploads/{upload_id}/undo", response_class=HTMLResponse)
def undo_submit(request: Request, console: Console, upload_id: str) -> Response:
    console.uploads.get(upload_id)  # 404 before anything else
    try:
        undo_import(console.uploads, upload_id, actor=actor(request))
    except UndoRefusedError:  # changed meanwhile: the confirm page names what stands in the way now
        return _confirm_page(request, console, upload_id, status_code=409)
    follow = follow_store(console.sessions, console.retrieval.versions, console.runner, actor=actor(request))
    query = urlencode({"undone": "1", "index": follow.outcome, **({"version": follow.version} if follow.version
                                                                     else {})})
    return RedirectResponse(f"/operator/uploads/{upload_id}?{query}", status_code=303)
