"""The operator console: its overview page, its wiring, and the guarded router every operator route hangs on.

Every route here and in the section modules it includes (operator_uploads, operator_index, operator_audit)
needs the operator or admin role; tests/api/test_route_guard.py walks them all to make sure.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.types import Scope

from assistant.api import operator_audit, operator_index, operator_uploads
from assistant.api.auth import require_role
from assistant.api.bodylimit import BodyLimit
from assistant.api.operator_view import render
from assistant.config import Settings
from assistant.operations.overview import overview
from assistant.operations.refresh import RefreshRunner
from assistant.operations.safefiles import UploadLimits
from assistant.operations.uploads import Uploads

operator_only = require_role("operator", "admin")
router = APIRouter(dependencies=[Depends(operator_only)])
UPLOADS_PATH = "/operator/uploads"


def start_operator(app: FastAPI, settings: Settings) -> None:
    """Called from the app's lifespan, after retrieval: the uploads folder and the one refresh runner."""
    app.state.uploads = Uploads(settings.home / "uploads", app.state.sessions)
    app.state.refresh = RefreshRunner(app.state.sessions, app.state.retrieval.embedder, app.state.retrieval.versions,
                                      approximate_above=settings.approximate_above)


def _upload_limit(scope: Scope) -> int:
    uploads: Uploads | None = getattr(scope["app"].state, "uploads", None)
    return (uploads.limits if uploads is not None else UploadLimits()).max_bytes


def install_operator(app: FastAPI) -> None:
    """Called when the app is built: upload bodies are capped at the service's limit before they are read."""
    app.add_middleware(BodyLimit, prefix=UPLOADS_PATH, limit=_upload_limit)


@router.get("/operator", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    state = request.app.state
    return render(request, "home.html", "home",
                  {"view": overview(state.sessions, state.retrieval.holder, state.refresh, state.uploads)})


# The sections: included here so they sit behind the router's guard and cannot be mounted without it.
router.include_router(operator_uploads.router)
router.include_router(operator_index.router)
router.include_router(operator_audit.router)
