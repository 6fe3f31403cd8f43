"""Caps on request bodies, so an oversized upload or JSON body is refused before it is read in full."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.operations.safefiles import size_text

# Multipart framing and the form's small fields on top of the file itself.
FORM_OVERHEAD = 64 * 1024
# Every other body: a chat message of 2000 characters is 12 KiB even with every character \u-escaped in JSON,
# a counsellor's note or a login form less. A megabyte is generous and still stops a 10 MB body at the door.
BODY_BYTES = 1024 * 1024
UPLOAD_TOO_LARGE = "upload too large: files may be at most {limit}; {sent}"
BODY_TOO_LARGE = "request body too large: it may be at most {limit}; {sent}"


class BodyTooLarge(HTTPException):
    """413, raised from inside `receive` so the app's error handler renders it (a page, or JSON under /api/)."""

    def __init__(self, limit: int, size: int | None = None, message: str = UPLOAD_TOO_LARGE) -> None:
        sent = f"the request is {size_text(size)}" if size is not None else "the request is larger than that"
        super().__init__(413, message.format(limit=size_text(limit), sent=sent))


class BodyLimit:
    """Pure ASGI middleware: bodies of unsafe requests under `prefix` (but not under `exclude`) may hold at most
    `limit()` bytes, plus `overhead` for a form's framing.

    A declared Content-Length over the cap fails on the first read, before a byte of the body is taken in;
    a body without one (chunked) fails as soon as the bytes read pass it. Nothing is refused until the route
    reads its body, so the role guard still answers first (401/403 reveal nothing and read nothing).
    """

    def __init__(self, app: ASGIApp, *, prefix: str, limit: Callable[[Scope], int], overhead: int = FORM_OVERHEAD,
                 message: str = UPLOAD_TOO_LARGE, exclude: str | None = None) -> None:
        self.app, self.prefix, self.limit = app, prefix, limit
        self.overhead, self.message, self.exclude = overhead, message, exclude

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or not _under(path, self.prefix) \
                or (self.exclude is not None and _under(path, self.exclude)):
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        allowed = limit + self.overhead
        declared = _content_length(scope)
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            if declared is not None and declared > allowed:
                raise BodyTooLarge(limit, declared, self.message)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > allowed:
                    raise BodyTooLarge(limit, None, self.message)
            return message

        await self.app(scope, capped, send)


def install_body_limit(app: FastAPI, *, uploads: str) -> None:
    """Called when the app is built: every body but an upload's (capped on its own, see operator.py) is capped."""
    app.add_middleware(BodyLimit, prefix="", exclude=uploads, limit=lambda _scope: BODY_BYTES, overhead=0,
                       message=BODY_TOO_LARGE)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
