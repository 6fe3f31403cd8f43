"""Rendering shared by the operator console's pages: the section marker for its navigation, and the acting user."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from assistant.api.deps import current_user, services_of
from assistant.api.templating import Pages
from assistant.errors import AuthenticationRequired


def render(request: Request, pages: Pages, name: str, section: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """A console page (templates under operator/); `section` marks the current entry of the console's navigation."""
    ctx = {"section": section, "account": current_user(request), "serving_version": _serving(request),
           **(context or {})}
    return pages.render(request, f"operator/{name}", ctx, status_code=status_code)


def _serving(request: Request) -> str | None:
    """The index version serving now, read on every console page: the one version the whole console names."""
    services = services_of(request.app)
    return services.retrieval.versions.current_id() if services is not None else None


def actor(request: Request) -> str:
    """Who the audit log names for this request; the router's guard has made sure somebody is logged in."""
    user = current_user(request)
    if user is None:  # unreachable behind operator.py's router; a route mounted elsewhere must not act anonymously
        raise AuthenticationRequired("log in to open this page")
    return user.username
