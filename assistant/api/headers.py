"""Security headers on every response: pages, JSON, static files, redirects and error pages alike.

The content security policy admits only this server's own scripts, styles, images and connections: no inline
script or style attribute, no CDN, no plugin, no framing, forms post only here. The templates keep to that (the
chat page's strings travel in a `<script type="application/json">` data block, which is not executed).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.config import Settings

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
ALWAYS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Addresses carry conversation ids (/plan/<id>, the counsellor's session pages): never sent to another site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Browsers ignore it over plain http; sent only where cookies are Secure too, i.e. the service is behind https.
HSTS = "max-age=31536000"
# Pages and JSON may carry personal data (a conversation, a plan, a case): no browser or proxy keeps a copy.
NO_STORE = "no-store"
STATIC = "/static/"


def security_headers(*, https: bool, path: str) -> dict[str, str]:
    """The headers a response to `path` gets; static files keep their own caching."""
    headers = dict(ALWAYS)
    if https:
        headers["Strict-Transport-Security"] = HSTS
    if not path.startswith(STATIC):
        headers["Cache-Control"] = NO_STORE
    return headers


class SecurityHeaders:
    """A pure ASGI middleware; a header the route set itself (a stricter Cache-Control, say) is left as it is."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = security_headers(https=self.https, path=scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI, settings: Settings) -> None:
    """Called when the app is built, after the other middleware, so that it wraps them (their refusals included)."""
    app.add_middleware(SecurityHeaders, https=settings.cookie_secure)


def add_security_headers(request: Request, response: Response, *, https: bool) -> Response:
    """For the one response the middleware never sees: a 500, which Starlette sends from outside all middleware."""
    for name, value in security_headers(https=https, path=request.url.path).items():
        response.headers.setdefault(name, value)
    return response
