"""The operator console: its overview page, its wiring, and the guarded router every operator route hangs on.

Every route here and in the section modules it includes (operator_uploads, operator_index, operator_audit)
needs the operator or admin role; tests/api/test_route_guard.py walks them all to make sure.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Scope

from assistant.api import operator_audit, operator_check, operator_index, operator_undo, operator_uploads
from assistant.api.auth import require_role
from assistant.api.bodylimit import BodyLimit
from assistant.api.deps import PagesDep, ServicesDep, services_of
from assistant.api.operator_view import render
from assistant.config import Settings
from assistant.ingest.budget import DocumentBudget
from assistant.operations.overview import overview
from assistant.operations.refresh import RefreshRunner
from assistant.operations.safefiles import UploadLimits
from assistant.operations.uploads import Uploads
from assistant.retrieval.runtime import Retrieval

operator_only = require_role("operator", "admin")
router = APIRouter(dependencies=[Depends(operator_only)])
UPLOADS_PATH = "/operator/uploads"


def make_uploads(settings: Settings, sessions: sessionmaker[Session]) -> Uploads:
    """Built by the app's lifespan: the folder operators' uploads wait in until they are imported."""
    return Uploads(settings.home / "uploads", sessions,
                   budget=DocumentBudget.of(settings.document_max_mib, settings.document_seconds))


def make_refresh_runner(settings: Settings, sessions: sessionmaker[Session], retrieval: Retrieval) -> RefreshRunner:
    """Built by the app's lifespan, after retrieval: the one runner this process refreshes the index with."""
    return RefreshRunner(sessions, retrieval.embedder, retrieval.versions, approximate_above=settings.approximate_above,
                         views=retrieval.views)


def _upload_limit(scope: Scope) -> int:
    services = services_of(scope["app"])  # None: an app built without its lifespan, which gets the default cap
    return (services.uploads.limits if services is not None else UploadLimits()).max_bytes


def install_operator(app: FastAPI) -> None:
    """Called when the app is built: upload bodies are capped at the service's limit before they are read."""
    app.add_middleware(BodyLimit, prefix=UPLOADS_PATH, limit=_upload_limit)


@router.get("/operator", response_class=HTMLResponse)
def home(request: Request, pages: PagesDep, services: ServicesDep) -> HTMLResponse:
    return render(request, pages, "home.html", "home", {
        "view": overview(services.sessions, services.retrieval.holder, services.refresh, services.uploads)})


# The sections: included here so they sit behind the router's guard and cannot be mounted without it.
router.include_router(operator_uploads.router)
router.include_router(operator_undo.router)
router.include_router(operator_index.router)
router.include_router(operator_check.router)
router.include_router(operator_audit.router)
