"""The one place that maps domain errors to HTTP responses: JSON for the API, an HTML page for browsers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.deps import pages_of
from assistant.api.headers import add_security_headers
from assistant.errors import (
    AccountError,
    ConflictError,
    AuthenticationRequired,
    IndexBusyError,
    IndexMismatchError,
    IndexNotReadyError,
    InputError,
    NotFoundError,
    PermissionDenied,
    QueryError,
    RateLimited,
    SkillPathError,
    StoreUnavailableError,
    UnknownSourceError,
)
from assistant.store.outages import OUTAGES, unavailable

STATUS = {
    InputError: 400,
    UnknownSourceError: 400,
    QueryError: 400,
    StoreUnavailableError: 503,
    IndexNotReadyError: 503,
    IndexMismatchError: 503,
    IndexBusyError: 409,
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    AccountError: 400,
    RateLimited: 429,
}
log = logging.getLogger("skillpath.api")
NUMERIC_OUT_OF_RANGE = "22003"  # PostgreSQL's SQLSTATE for a number its column type cannot hold


def wants_html(request: Request) -> bool:
    """A browser asking for a page: not the JSON API, and HTML accepted."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/healthz", "/openapi.json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _page(request: Request, status: int, detail: str) -> Response:
    if status == 401 and request.method == "GET":  # a browser without a login goes to the login page and back
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    pages = pages_of(request.app)
    if pages is None:
        return JSONResponse({"error": "HTTPError", "detail": detail}, status_code=status)
    t = pages.strings[pages.language(request)]
    message = t.get(f"error_{status}", t["error_title"])
    # Server errors show no internals; client errors show what was wrong with the request.
    return pages.render(request, "error.html", {"status": status, "message": message,
                                                "detail": detail if status < 500 else ""}, status_code=status)


def validation_detail(error: dict[str, Any]) -> str:
    """One validation error as 'field: reason', the field as a client wrote it (skills[2], not body.skills.2)."""
    loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path", "header", "cookie")]
    if error.get("type") == "json_invalid":  # loc is ("body", offset): say where in the text it broke
        why = str((error.get("ctx") or {}).get("error", "decode error")).removesuffix(" at")  # "...starting at"
        return f"body: not valid JSON ({why} at character {int(loc[-1]) + 1 if loc else 1})"
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or "body"
    # A validator's own ValueError (inputs.Text) reads better without pydantic's prefix.
    return f"{where}: {str(error.get('msg', 'invalid')).removeprefix('Value error, ')}"


def _body_problem(exc: StarletteHTTPException) -> str | None:
    """FastAPI's 'There was an error parsing the body' says nothing; a body that is not UTF-8 is the usual cause."""
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError) and isinstance(cause.object, bytes):
        encoding = "UTF-8" if cause.encoding.lower().startswith("utf-8") else cause.encoding
        return f"body: not valid {encoding} (byte 0x{cause.object[cause.start]:02x} at byte {cause.start + 1})"
    return None


async def store_outage(request: Request, exc: Exception) -> Response:
    """The database is away (down, unreachable, locked): a 503 that says why, never a 500 with driver internals.

    Also called by the session middleware, which meets the store before any route (and its handlers) does.
    """
    cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()  # host, port, file: for the log only
    log.warning("store unavailable on %s %s: %s", request.method, request.url.path, cause[0] if cause else exc)
    error = unavailable(exc)
    if wants_html(request):
        return _page(request, 503, str(error))
    return JSONResponse({"error": type(error).__name__, "detail": str(error)}, status_code=503)


def install_error_handlers(app: FastAPI, *, https: bool) -> None:
    """Called when the app is built; `https` says whether a 500 carries HSTS, as every other response does."""
    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Same shape as our own QueryError: {"error", "detail"} with the parameter named first.
        first = exc.errors()[0] if exc.errors() else {}
        return JSONResponse({"error": "QueryError", "detail": validation_detail(first)}, status_code=400)

    @app.exception_handler(SkillPathError)
    async def _domain_error(request: Request, exc: SkillPathError) -> Response:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
        if wants_html(request):
            response = _page(request, status, str(exc))
        else:
            body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
            if isinstance(exc, InputError):
                body.update(file=exc.file, line=exc.line, field=exc.field)
            response = JSONResponse(body, status_code=status)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    for outage in OUTAGES:
        app.add_exception_handler(outage, store_outage)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _number_out_of_range(request: Request, exc: Exception) -> Response:
        # A number beyond what the store holds, e.g. a query's ?after=10**40: SQLite cannot bind it (OverflowError),
        # PostgreSQL refuses it (SQLSTATE 22003). The request's numbers are the client's: a 400, not a 500.
        if isinstance(exc, DataError) and getattr(exc.orig, "sqlstate", None) != NUMERIC_OUT_OF_RANGE:
            raise exc  # any other value the store refused is ours to fix: the 500 below, logged
        log.warning("number out of range on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return await _domain_error(request, QueryError("a number in the request is out of range (too large)"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = _body_problem(exc) or str(exc.detail)
        if wants_html(request):
            return _page(request, exc.status_code, detail)
        return JSONResponse({"error": "HTTPError", "detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if isinstance(exc, OUTAGES):  # raised in a middleware, outside the handlers above
            return add_security_headers(request, await store_outage(request, exc), https=https)
        # Logged with the route only: request bodies may hold personal data.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_html(request):
            response = _page(request, 500, "")
        else:
            response = JSONResponse({"error": "InternalError", "detail": "internal error"}, status_code=500)
        return add_security_headers(request, response, https=https)  # sent from outside every middleware, ours included
