"""Who is asking: the session middleware, the role guard, the CSRF check every unsafe request passes, and the
request's right to one conversation (its key, or a counsellor's login).

Cookies: `skillpath_session` holds a login's random token (the store keeps only its hash);
`skillpath_csrf` holds a nonce for visitors without a login, whose CSRF token is its signature.
Both are HttpOnly, SameSite=Lax, Path=/, and Secure unless SKILLPATH_COOKIE_SECURE=0.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.accounts import csrf
from assistant.store.clock import utc_now
from assistant.accounts.service import Account
from assistant.api.deps import csrf_token, current_user, services_of
from assistant.api.errors import store_outage
from assistant.accounts.users import ROLES
from assistant.config import Settings
from assistant.dialogue.access import Access
from assistant.errors import AuthenticationRequired, PermissionDenied
from assistant.store.outages import OUTAGES

SESSION_COOKIE = "skillpath_session"
CSRF_COOKIE = "skillpath_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_REFUSED = "CSRF token missing or wrong: reload the page and try again"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def install_auth(app: FastAPI) -> None:
    """Called when the app is built: every request goes through the session middleware."""
    app.add_middleware(AuthMiddleware)


# -- cookies -------------------------------------------------------------------------------------

def set_cookie(response: Response, settings: Settings, name: str, value: str, *,
               expires: datetime | None = None) -> None:
    max_age = None if expires is None else max(0, int((expires - utc_now()).total_seconds()))
    response.set_cookie(name, value, max_age=max_age, path="/", secure=settings.cookie_secure,
                        httponly=True, samesite="lax")


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(name, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax")


class AuthMiddleware:
    """Sets request.state.user (an Account or None), .login and .csrf_token before any route runs.

    A pure ASGI middleware rather than a dependency, so error pages and routes without the guard
    also know who is logged in. Static files skip it (no database read for a stylesheet).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        services = services_of(scope["app"])
        if services is None:  # app built without its lifespan: nobody is logged in, no form can post
            state.update(user=None, login=None, csrf_token="")
            await self.app(scope, receive, send)
            return
        accounts, settings, key = services.accounts, services.settings, services.csrf_key
        cookies = Request(scope).cookies
        extra = Response()  # only a carrier for the Set-Cookie headers built below
        token = cookies.get(SESSION_COOKIE)
        try:
            login = await run_in_threadpool(accounts.resolve, token) if token else None
        except OUTAGES as exc:  # the store is away: answer here, the app's error handlers sit further in
            await (await store_outage(Request(scope), exc))(scope, receive, send)
            return
        if token and login is None:  # expired, ended or forged: drop it so the browser stops sending it
            clear_cookie(extra, settings, SESSION_COOKIE)
        if login is not None:
            csrf_token = csrf.session_token(key, login.csrf_secret)
        elif scope["path"].startswith("/api/"):
            csrf_token = ""  # JSON clients without a login post nothing that needs a token
        else:
            nonce = cookies.get(CSRF_COOKIE, "")
            if not 20 <= len(nonce) <= 100:
                nonce = csrf.new_nonce()
                set_cookie(extra, settings, CSRF_COOKIE, nonce)
            csrf_token = csrf.anonymous_token(key, nonce)
        state.update(user=login.account if login else None, login=login, csrf_token=csrf_token)
        added = [(k, v) for k, v in extra.raw_headers if k == b"set-cookie"]
        if not added:
            await self.app(scope, receive, send)
            return

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Ours go first: a route that sets the same cookie (a login) comes later and wins.
                message["headers"] = added + list(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_cookies)


# -- guards --------------------------------------------------------------------------------------

def csrf_ok(request: Request, form_value: Any = None) -> bool:
    """The X-CSRF-Token header, else the form's csrf_token, matches this visitor's token."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and isinstance(form_value, str):
        given = form_value
    return csrf.matches(csrf_token(request), given)


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request (POST, PUT, PATCH, DELETE) without the right token; safe methods pass."""
    if request.method in SAFE_METHODS:
        return
    form_value = None
    if request.headers.get(CSRF_HEADER) is None and request.headers.get("content-type", "").startswith(_FORMS):
        form_value = (await request.form()).get(CSRF_FIELD)  # parsed once: the route gets the same form
    if not csrf_ok(request, form_value):
        raise PermissionDenied(CSRF_REFUSED)


def require_role(*roles: str) -> Callable[[Request], Awaitable[Account]]:
    """A dependency that lets through only these roles, and only with a CSRF token on unsafe methods.

        counsellor_only = require_role("counsellor", "admin")
        router = APIRouter(dependencies=[Depends(counsellor_only)])   # every route on the router
        def page(user: Annotated[Account, Depends(counsellor_only)]): ...  # same check, run once
    """
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        raise ValueError(f"require_role needs roles from {', '.join(ROLES)}; got {list(roles)}")

    async def guard(request: Request) -> Account:
        user = current_user(request)
        if user is None:
            raise AuthenticationRequired("log in to open this page")
        if user.role not in roles:
            raise PermissionDenied(f"this needs the {' or '.join(roles)} role; {user.username} is {user.role}")
        await check_csrf(request)
        return user

    guard.__name__ = f"require_{'_or_'.join(roles)}"
    return guard


# -- a conversation ------------------------------------------------------------------------------

KEY_HEADER = "X-Conversation-Key"
STAFF_ROLES = ("counsellor", "admin")


def conversation_access(request: Request) -> Access:
    """What this request may open: its conversation key, if any, and whether a counsellor is logged in.

    The key travels in a header, never in an address (addresses end up in logs, histories and Referer headers).
    Counsellors and admins open any conversation; on an unsafe method their login must carry its CSRF token, so a
    cross-site request riding on the cookie opens nothing.
    """
    key = request.headers.get(KEY_HEADER) or None
    user = current_user(request)
    staff = user is not None and user.role in STAFF_ROLES
    if staff and request.method not in SAFE_METHODS and not csrf_ok(request):
        staff = False
    return Access(key=key, staff=staff)


ConversationAccess = Annotated[Access, Depends(conversation_access)]
