"""The one way routes reach the app's services: a typed container, its getters, and `Annotated` dependencies.

The lifespan builds a `Services` and keeps it on the app (`set_services`); routes take what they need as parameters
(`guidance: GuidanceDep`), so a test can replace any one with `app.dependency_overrides[get_guidance] = ...`.
Code that runs outside FastAPI's dependencies (the ASGI middlewares, the error handlers) calls `services_of(app)`,
which is None while the lifespan has not run (a TestClient used without `with`, an error before startup).
Only this module touches `app.state`; tests/api/test_deps.py keeps it that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from assistant.accounts.service import Account, Accounts, Login
from assistant.api.templating import Pages
from assistant.casework.service import Casework
from assistant.config import Settings
from assistant.dialogue.manager import DialogueManager
from assistant.guidance.service import GuidanceService
from assistant.operations.refresh import RefreshRunner
from assistant.operations.uploads import Uploads
from assistant.retrieval.runtime import Retrieval
from assistant.retrieval.search import SearchService

if TYPE_CHECKING:  # ratelimit.py reads the container through services_of: a runtime import would be a cycle
    from assistant.api.ratelimit import RateLimits


@dataclass(frozen=True)
class Services:
    """What the app's lifespan builds, once per process; the objects inside keep their own state."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    retrieval: Retrieval
    guidance: GuidanceService
    dialogue: DialogueManager
    casework: Casework
    accounts: Accounts
    csrf_key: str  # signs CSRF tokens (settings.resolved_secret(), read once)
    uploads: Uploads
    refresh: RefreshRunner  # the one index refresh runner of this process
    rate_limits: RateLimits
    pages: Pages  # the same object pages_of() gives, which exists from the moment the app is built


class ServicesNotStarted(RuntimeError):
    """A route that needs a service ran on an app whose lifespan has not run: a bug in the caller, hence a 500."""


# -- storing and reading the container ----------------------------------------------------------------------------

def set_pages(app: Starlette, pages: Pages) -> None:
    """Called when the app is built: error pages and the login form render even before (or without) the lifespan."""
    app.state.pages = pages


def set_services(app: Starlette, services: Services) -> None:
    """Called from the lifespan: the container every dependency and middleware reads."""
    app.state.services = services


def pages_of(app: Starlette) -> Pages | None:
    """The app's pages; None only for an app that create_app did not build."""
    return getattr(app.state, "pages", None)


def services_of(app: Starlette) -> Services | None:
    """The app's services, or None while its lifespan has not run (nobody is logged in then, nothing is limited)."""
    return getattr(app.state, "services", None)


# -- dependencies: what routes take as parameters ---------------------------------------------------------------

def require_services(app: Starlette) -> Services:
    """The app's services; ServicesNotStarted (a 500 in a route) while its lifespan has not run."""
    services = services_of(app)
    if services is None:
        raise ServicesNotStarted("the app's services are built by its lifespan (use `with TestClient(app)`)")
    return services


def get_services(request: Request) -> Services:
    return require_services(request.app)


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_sessions(services: ServicesDep) -> sessionmaker[Session]:
    return services.sessions


def get_retrieval(services: ServicesDep) -> Retrieval:
    return services.retrieval


def get_search(services: ServicesDep) -> SearchService:
    """The search job seekers' questions go through (the operator console's check screen asks it the same way)."""
    return services.retrieval.service


def get_guidance(services: ServicesDep) -> GuidanceService:
    return services.guidance


def get_dialogue(services: ServicesDep) -> DialogueManager:
    return services.dialogue


def get_casework(services: ServicesDep) -> Casework:
    return services.casework


def get_accounts(services: ServicesDep) -> Accounts:
    return services.accounts


def get_uploads(services: ServicesDep) -> Uploads:
    return services.uploads


def get_refresh(services: ServicesDep) -> RefreshRunner:
    return services.refresh


def get_pages(request: Request) -> Pages:
    # Not through get_services: pages exist before the lifespan (the login form, the error pages).
    pages = pages_of(request.app)
    if pages is None:
        raise ServicesNotStarted("the app was not built by create_app: it has no pages")
    return pages


def current_user(request: Request) -> Account | None:
    """Who is logged in, as the session middleware (auth.py) found it for this request; None for a visitor."""
    return getattr(request.state, "user", None)


def current_login(request: Request) -> Login | None:
    """This request's login (the account and its session), None for a visitor."""
    return getattr(request.state, "login", None)


def csrf_token(request: Request) -> str:
    """The token this visitor's forms must carry; empty for JSON clients without a login."""
    return getattr(request.state, "csrf_token", "")


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
RetrievalDep = Annotated[Retrieval, Depends(get_retrieval)]
SearchDep = Annotated[SearchService, Depends(get_search)]
GuidanceDep = Annotated[GuidanceService, Depends(get_guidance)]
DialogueDep = Annotated[DialogueManager, Depends(get_dialogue)]
CaseworkDep = Annotated[Casework, Depends(get_casework)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
UploadsDep = Annotated[Uploads, Depends(get_uploads)]
RefreshDep = Annotated[RefreshRunner, Depends(get_refresh)]
PagesDep = Annotated[Pages, Depends(get_pages)]
CurrentUser = Annotated[Account | None, Depends(current_user)]
CurrentLogin = Annotated[Login | None, Depends(current_login)]
CsrfToken = Annotated[str, Depends(csrf_token)]
