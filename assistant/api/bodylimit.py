"""A cap on request bodies under a path prefix, so an oversized upload is refused before it is read in full."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.operations.safefiles import size_text

# Multipart framing and the form's small fields on top of the file itself.
FORM_OVERHEAD = 64 * 1024


class BodyTooLarge(HTTPException):
    """413, raised from inside `receive` so the app's error handler renders it (a page, or JSON under /api/)."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        sent = f"the request is {size_text(size)}" if size is not None else "the request is larger than that"
        super().__init__(413, f"upload too large: files may be at most {size_text(limit)}; {sent}")


class BodyLimit:
    """Pure ASGI middleware: bodies of unsafe requests under `prefix` may hold at most `limit()` bytes of file.

    A declared Content-Length over the cap fails on the first read, before a byte of the body is taken in;
    a body without one (chunked) fails as soon as the bytes read pass it. Nothing is refused until the route
    reads its body, so the role guard still answers first (401/403 reveal nothing and read nothing).
    """

    def __init__(self, app: ASGIApp, *, prefix: str, limit: Callable[[Scope], int]) -> None:
        self.app, self.prefix, self.limit = app, prefix, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        allowed = limit + FORM_OVERHEAD
        declared = _content_length(scope)
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            if declared is not None and declared > allowed:
                raise BodyTooLarge(limit, declared)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > allowed:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, capped, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
