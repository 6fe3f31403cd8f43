"""GET/POST /login and POST /logout: thin routes over the accounts service, with safe redirects."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.api.auth import CSRF_REFUSED, SESSION_COOKIE, clear_cookie, csrf_ok, set_cookie
from assistant.api.deps import AccountsDep, CurrentLogin, CurrentUser, PagesDep, SettingsDep
from assistant.api.templating import Pages
from assistant.api.ratelimit import client_address
from assistant.errors import AddressLocked, LoginFailed, PermissionDenied

router = APIRouter()

# Where a login lands when it was not sent from a page; admins see both consoles in the navigation.
ROLE_HOME = {"counsellor": "/counsellor", "operator": "/operator", "admin": "/"}


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path on this site, else None.

    Refused: other hosts (`//evil.example`, `https://evil.example`), backslashes (browsers read
    `/\\evil.example` as `//evil.example`), control characters (a tab inside `/\\t/evil` is dropped by
    browsers, leaving `//evil`), and the login and logout pages themselves.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    if urlsplit(value).path in ("/login", "/logout"):
        return None
    return value


def _form(request: Request, pages: Pages, *, next_: str, username: str = "", error: str = "", status_code: int = 200,
          minutes: int = 0, headers: dict[str, str] | None = None) -> HTMLResponse:
    ctx: dict[str, Any] = {"next": safe_next(next_) or "", "username": username, "error": error, "minutes": minutes}
    response = pages.render(request, "login.html", ctx, status_code=status_code)
    response.headers.update(headers or {})
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, pages: PagesDep, user: CurrentUser,
               next_: Annotated[str, Query(alias="next")] = "") -> Response:
    if user is not None:  # already logged in: straight on
        return RedirectResponse(safe_next(next_) or ROLE_HOME.get(user.role, "/"), status_code=303)
    return _form(request, pages, next_=next_)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    pages: PagesDep,
    accounts: AccountsDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_ok(request, csrf_token):
        # The form is shown again with a fresh token: an expired page just needs a second try.
        return _form(request, pages, next_=next_, username=username, error="login_error_csrf", status_code=403)
    try:
        started = accounts.login(username, password, address=client_address(request))
    except LoginFailed as exc:
        if exc.retry_after:
            error = "login_error_address_locked" if isinstance(exc, AddressLocked) else "login_error_locked"
            return _form(request, pages, next_=next_, username=username, error=error, status_code=429,
                         minutes=-(-exc.retry_after // 60), headers={"Retry-After": str(exc.retry_after)})
        return _form(request, pages, next_=next_, username=username, error="login_error_invalid", status_code=401)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # logging in over another login: the old session ends rather than lingering
        accounts.logout(previous)
    target = safe_next(next_) or ROLE_HOME.get(started.account.role, "/")
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, settings, SESSION_COOKIE, started.token, expires=started.expires_at)
    return response


@router.post("/logout")
def logout(request: Request, login: CurrentLogin, accounts: AccountsDep, settings: SettingsDep,
           csrf_token: Annotated[str, Form()] = "") -> Response:
    if login is not None:
        if not csrf_ok(request, csrf_token):  # a cross-site page must not be able to log people out
            raise PermissionDenied(CSRF_REFUSED)
        accounts.logout(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    clear_cookie(response, settings, SESSION_COOKIE)
    return response
