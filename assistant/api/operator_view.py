"""Rendering shared by the operator console's pages: the section marker for its navigation, and the acting user."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse


def render(request: Request, name: str, section: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """A console page (templates under operator/); `section` marks the current entry of the console's navigation."""
    ctx = {"section": section, "account": request.state.user, **(context or {})}
    return request.app.state.pages.render(request, f"operator/{name}", ctx, status_code=status_code)


def actor(request: Request) -> str:
    """Who the audit log names for this request; the router's guard has made sure somebody is logged in."""
    return request.state.user.username
